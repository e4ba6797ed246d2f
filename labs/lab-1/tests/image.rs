//! イメージのビルドと検証のテスト（rootもラボマシンも要りません）。

mod common;

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use lab_1::image::{Manifest, build_directory, build_raw, listing, validate_directory};
use lab_1::upgrade::hello_image::{hello_manifest, hello_svc_path};

fn hello(version: &str, socket: bool) -> Manifest {
    hello_manifest(version, 18080, socket, &common::hello_svc())
}

/// hello-svcの大きさはコンパイラーで変わるので、その行の4桁以上の数字を伏せます。
fn redact_binary_size(text: &str) -> String {
    let redact = |line: &str| {
        let size = line
            .split_whitespace()
            .find(|word| word.len() > 3 && word.chars().all(|c| c.is_ascii_digit()));
        match size {
            Some(size) if line.ends_with("/usr/bin/hello-svc") => {
                line.replacen(size, "[サイズ]", 1)
            }
            _ => line.to_owned(),
        }
    };
    text.lines().map(redact).collect::<Vec<_>>().join("\n")
}

fn book_snapshot(name: &str, text: &str) {
    insta::with_settings!({ omit_expression => true }, { insta::assert_snapshot!(name, text) });
}

#[test]
fn manifest_toml() {
    let mut manifest = hello("1", true);
    manifest.binaries[0].source = hello_svc_path(Path::new("target"));
    book_snapshot("manifest_hello_1", &toml::to_string(&manifest).unwrap());
}

#[test]
fn manifest_missing_binary_error() {
    let mut manifest = hello("1", true);
    manifest.binaries[0].source = hello_svc_path(Path::new("/nonexistent/target"));
    let out = tempfile::tempdir().unwrap();
    let error = build_directory(&manifest, out.path()).unwrap_err();
    book_snapshot("manifest_missing_binary_error", &error.to_string());
}

#[test]
fn manifest_parse_roundtrip() {
    let manifest = hello("1", true);
    let parsed = Manifest::parse(&toml::to_string(&manifest).unwrap(), "hello.toml").unwrap();
    assert_eq!(parsed, manifest);
}

#[test]
fn manifest_missing_field_error() {
    let text = toml::to_string(&hello("1", true))
        .unwrap()
        .replace("version = \"1\"\n", "");
    let error = Manifest::parse(&text, "hello.toml").unwrap_err();
    book_snapshot("manifest_missing_field_error", &error.to_string());
}

#[test]
fn manifest_rejects_underscore() {
    let text = toml::to_string(&hello("1", true))
        .unwrap()
        .replace("name = \"hello\"", "name = \"my_app\"");
    let error = Manifest::parse(&text, "hello.toml").unwrap_err();
    book_snapshot("manifest_underscore_error", &error.to_string());
}

#[test]
fn directory_listing() {
    let out = tempfile::tempdir().unwrap();
    let root = build_directory(&hello("1", true), out.path()).unwrap();
    book_snapshot(
        "directory_listing",
        &redact_binary_size(&listing::list_directory(&root)),
    );
}

#[test]
fn generated_os_release() {
    let out = tempfile::tempdir().unwrap();
    let root = build_directory(&hello("1", true), out.path()).unwrap();
    book_snapshot(
        "os_release",
        &fs::read_to_string(root.join("usr/lib/os-release")).unwrap(),
    );
}

#[test]
fn generated_units() {
    let out = tempfile::tempdir().unwrap();
    let root = build_directory(&hello("1", true), out.path()).unwrap();
    let unit =
        |name: &str| fs::read_to_string(root.join("usr/lib/systemd/system").join(name)).unwrap();
    book_snapshot("hello_socket", &unit("hello.socket"));
    book_snapshot("hello_service", &unit("hello.service"));
}

#[test]
fn raw_listing() {
    let out = tempfile::tempdir().unwrap();
    let raw = build_raw(&hello("1", true), out.path()).unwrap();
    book_snapshot(
        "raw_listing",
        &redact_binary_size(&listing::list_raw(&raw).unwrap()),
    );
}

#[test]
fn raw_is_reproducible() {
    let (first, second) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let first = fs::read(build_raw(&hello("1", true), first.path()).unwrap()).unwrap();
    let second = fs::read(build_raw(&hello("1", true), second.path()).unwrap()).unwrap();
    assert!(
        first == second,
        "同じ入力から作った.rawのバイト列が異なります"
    );
}

#[test]
fn hello_svc_is_static() {
    let interpreter = lab_1::image::validate::exec_interpreter(&common::hello_svc());
    assert_eq!(interpreter, None);
}

#[test]
fn validate_good_image() {
    let out = tempfile::tempdir().unwrap();
    let root = build_directory(&hello("1", true), out.path()).unwrap();
    assert_eq!(validate_directory(&root, "hello_1"), Vec::new());
}

/// 正しいイメージを作り、`break_it`で壊してから検証したエラーの文面を返します。
fn errors_after(image_name: &str, break_it: impl FnOnce(&Path)) -> String {
    let out = tempfile::tempdir().unwrap();
    let root = build_directory(&hello("1", true), out.path()).unwrap();
    break_it(&root);
    let errors = validate_directory(&root, image_name);
    errors
        .iter()
        .map(|error| format!("- {error}"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn validate_missing_os_release() {
    let text = errors_after("hello_1", |root| {
        fs::remove_file(root.join("usr/lib/os-release")).unwrap()
    });
    book_snapshot("error_os_release_missing", &text);
}

#[test]
fn validate_missing_id() {
    let text = errors_after("hello_1", |root| {
        fs::write(
            root.join("usr/lib/os-release"),
            "PORTABLE_PRETTY_NAME=\"hello\"\n",
        )
        .unwrap()
    });
    book_snapshot("error_os_release_no_id", &text);
}

#[test]
fn validate_no_matching_unit() {
    let text = errors_after("my_app_1.raw", |_| {});
    book_snapshot("error_no_matching_unit", &text);
}

#[test]
fn validate_prefixes_mismatch() {
    let text = errors_after("hello_1", |root| {
        fs::write(
            root.join("usr/lib/os-release"),
            "ID=\"karui\"\nPORTABLE_PREFIXES=\"web\"\n",
        )
        .unwrap()
    });
    book_snapshot("error_prefixes_mismatch", &text);
}

#[test]
fn validate_missing_mount_points() {
    let text = errors_after("hello_1", |root| {
        fs::remove_dir(root.join("proc")).unwrap();
        fs::remove_file(root.join("etc/machine-id")).unwrap();
    });
    book_snapshot("error_mount_points", &text);
}

#[test]
fn validate_exec_missing() {
    let text = errors_after("hello_1", |root| {
        fs::remove_file(root.join("usr/bin/hello-svc")).unwrap()
    });
    book_snapshot("error_exec_missing", &text);
}

#[test]
fn validate_exec_not_executable() {
    let text = errors_after("hello_1", |root| {
        fs::set_permissions(
            root.join("usr/bin/hello-svc"),
            fs::Permissions::from_mode(0o644),
        )
        .unwrap()
    });
    book_snapshot("error_exec_not_executable", &text);
}

#[test]
fn validate_dynamic_binary() {
    // ホストの/bin/trueはglibcに動的リンクされていて、イメージにはld.soがありません。
    let text = errors_after("hello_1", |root| {
        fs::copy("/bin/true", root.join("usr/bin/hello-svc")).unwrap();
    });
    book_snapshot("error_interpreter_missing", &text);
}

#[test]
fn validate_script_interpreter() {
    let text = errors_after("hello_1", |root| {
        let path = root.join("usr/bin/hello-svc");
        fs::write(&path, "#!/bin/sh\necho hello\n").unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).unwrap();
    });
    book_snapshot("error_script_interpreter", &text);
}

#[test]
fn validate_symlink_escape() {
    let text = errors_after("hello_1", |root| {
        std::os::unix::fs::symlink("../../../etc/shadow", root.join("usr/lib/shadow")).unwrap();
    });
    book_snapshot("error_symlink_escapes", &text);
}
