//! CLIの日本語の表示（ヘルプ、使い方のエラー、オフラインのinspect）。

mod common;

use std::process::{Command, Output};

fn lab1(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lab-1"))
        .args(args)
        .output()
        .unwrap()
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

fn book_snapshot(name: &str, text: &str) {
    insta::with_settings!({ omit_expression => true }, { insta::assert_snapshot!(name, text) });
}

#[test]
fn help_lists_commands() {
    book_snapshot("help", &text(&lab1(&["--help"])));
}

#[test]
fn attach_help() {
    book_snapshot("attach_help", &text(&lab1(&["attach", "--help"])));
}

#[test]
fn unknown_profile_error() {
    let output = lab1(&["attach", "hello_1.raw", "--profile", "paranoid"]);
    book_snapshot("unknown_profile", &text(&output));
}

#[test]
fn usage_error_exit_code() {
    assert_eq!(lab1(&["no-such-command"]).status.code(), Some(2));
}

#[test]
fn inspect_broken_directory() {
    let out = tempfile::tempdir().unwrap();
    let manifest =
        lab_1::upgrade::hello_image::hello_manifest("1", 18080, true, &common::hello_svc());
    let root = lab_1::image::build_directory(&manifest, out.path()).unwrap();
    std::fs::remove_dir(root.join("proc")).unwrap();

    let output = lab1(&["inspect", root.to_str().unwrap()]);
    let shown = text(&output).replace(&root.display().to_string(), "[イメージ]");
    let errors: Vec<&str> = shown
        .lines()
        .filter(|line| !line.starts_with("d0") && !line.starts_with("-0"))
        .collect();
    book_snapshot("inspect_broken", &errors.join("\n"));
}

/// hello_1.rawを作り、`file_name`という名前の.rawにして返します。
fn hello_raw_named(out: &std::path::Path, file_name: &str) -> std::path::PathBuf {
    let manifest =
        lab_1::upgrade::hello_image::hello_manifest("1", 18080, true, &common::hello_svc());
    let raw = lab_1::image::build_raw(&manifest, out).unwrap();
    let renamed = out.join(file_name);
    std::fs::rename(raw, &renamed).unwrap();
    renamed
}

#[test]
fn attach_raw_rejected_before_portabled() {
    let out = tempfile::tempdir().unwrap();
    let raw = hello_raw_named(out.path(), "my_app_1.raw");

    let output = lab1(&["attach", raw.to_str().unwrap()]);
    let shown = text(&output).replace(&out.path().display().to_string(), "[一時ディレクトリ]");
    book_snapshot("attach_raw_rejected", &shown);
}

#[test]
fn attach_raw_rejected_exit_code() {
    let out = tempfile::tempdir().unwrap();
    let raw = hello_raw_named(out.path(), "my_app_1.raw");
    assert_eq!(
        lab1(&["attach", raw.to_str().unwrap()]).status.code(),
        Some(1)
    );
}

#[test]
fn attach_broken_directory() {
    let out = tempfile::tempdir().unwrap();
    let manifest =
        lab_1::upgrade::hello_image::hello_manifest("1", 18080, true, &common::hello_svc());
    let root = lab_1::image::build_directory(&manifest, out.path()).unwrap();
    std::fs::remove_dir(root.join("proc")).unwrap();

    let output = lab1(&["attach", root.to_str().unwrap()]);
    let shown = text(&output).replace(&out.path().display().to_string(), "[一時ディレクトリ]");
    book_snapshot("attach_broken_directory", &shown);
}

#[test]
fn inspect_missing_file() {
    book_snapshot("inspect_missing", &text(&lab1(&["inspect", "nosuch.raw"])));
}

#[test]
fn upgrade_demo_help() {
    book_snapshot(
        "upgrade_demo_help",
        &text(&lab1(&["upgrade-demo", "--help"])),
    );
}

#[test]
fn status_not_root_message() {
    if let Err(error) = lab_1::machine::require_root("cargo test -p lab-1") {
        panic!(
            "このテストはsetprivでrootでないユーザーに切り替えるため、rootで実行します。{error}"
        );
    }
    let output = Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(env!("CARGO_BIN_EXE_lab-1"))
        .arg("status")
        .output()
        .unwrap();
    book_snapshot("status_not_root", &text(&output));
}
