//! 読み込みの失敗: 日本語のエラーが、何が・どの値で・次に何をするかを言うこと。

mod common;

use std::path::Path;

use lab_2::server::Host;

/// ファイルを読み込んでみて、エラーの文面を返します。一時ディレクトリのパスは伏せます。
fn load_error(path: &Path) -> String {
    let error = match Host::load(&common::shared().engine, path, Default::default()) {
        Ok(_) => panic!("`{}`が読み込めてしまいました", path.display()),
        Err(error) => error.to_string(),
    };
    let dir = path.parent().unwrap().display().to_string();
    error.replace(&dir, "[DIR]")
}

/// WATをバイナリにして一時ディレクトリに書きます。
fn write_wat(dir: &tempfile::TempDir, name: &str, wat: &str) -> std::path::PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, wat::parse_str(wat).unwrap()).unwrap();
    path
}

#[test]
fn missing_file() {
    let dir = tempfile::tempdir().unwrap();
    let text = load_error(&dir.path().join("nothing.wasm"));
    insta::with_settings!({ omit_expression => true }, { insta::assert_snapshot!("missing_file", text) });
}

#[test]
fn not_wasm() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("health.wasm");
    std::fs::write(&path, "#!/bin/sh\necho ok\n").unwrap();
    insta::assert_snapshot!("not_wasm", load_error(&path));
}

#[test]
fn core_module() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_wat(&dir, "core.wasm", r#"(module (func (export "_start")))"#);
    let text = load_error(&path);
    insta::with_settings!({ omit_expression => true }, { insta::assert_snapshot!("core_module", text) });
}

#[test]
fn missing_import() {
    // ホストが提供しないインターフェース`karui:store/kv`をインポートするコンポーネントです。
    let dir = tempfile::tempdir().unwrap();
    let wat = r#"(component
        (import "karui:store/kv@0.1.0" (instance
            (export "get" (func (param "key" string) (result string)))))
    )"#;
    let path = write_wat(&dir, "needs-kv.wasm", wat);
    let text = load_error(&path);
    insta::with_settings!({ omit_expression => true }, { insta::assert_snapshot!("missing_import", text) });
}

#[test]
fn not_proxy() {
    // 何もエクスポートしないコンポーネントは、wasi:httpのハンドラーになりません。
    let dir = tempfile::tempdir().unwrap();
    let path = write_wat(&dir, "empty.wasm", "(component)");
    insta::assert_snapshot!("not_proxy", load_error(&path));
}

#[test]
fn memory_below_minimum() {
    let limits = lab_2::config::Limits {
        memory_bytes: 1 << 20,
        ..Default::default()
    };
    let path = lab_2::guests::health();
    let error = match Host::load(&common::shared().engine, path, limits) {
        Ok(_) => panic!("1 MiBの上限で読み込めてしまいました"),
        Err(error) => error.to_string(),
    };
    let text = error.replace(&path.display().to_string(), "[HEALTH]");
    insta::with_settings!({ omit_expression => true }, { insta::assert_snapshot!("memory_below_minimum", text) });
}
