//! CLI: 日本語のヘルプと使い方のエラー、karui-svcのヘルプです。

use std::process::Command;

/// `binary`に引数を渡して実行し、終了コード、標準出力、標準エラーをつないだ文字列を返します。
fn run(binary: &str, args: &[&str]) -> String {
    let output = Command::new(binary)
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let code = output.status.code().unwrap_or(-1);
    format!(
        "終了コード: {code}\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

fn snapshot(name: &str, text: &str) {
    insta::with_settings!({ omit_expression => true }, { insta::assert_snapshot!(name, text) });
}

#[test]
fn help() {
    snapshot("help", &run(env!("CARGO_BIN_EXE_lab-4"), &["--help"]));
}

#[test]
fn upgrade_demo_help() {
    let text = run(env!("CARGO_BIN_EXE_lab-4"), &["upgrade-demo", "--help"]);
    snapshot("upgrade_demo_help", &text);
}

#[test]
fn unknown_command() {
    snapshot(
        "unknown_command",
        &run(env!("CARGO_BIN_EXE_lab-4"), &["deploy"]),
    );
}

#[test]
fn version_out_of_range() {
    let text = run(env!("CARGO_BIN_EXE_lab-4"), &["image", "--version", "3"]);
    snapshot("version_out_of_range", &text);
}

#[test]
fn svc_help() {
    snapshot(
        "svc_help",
        &run(env!("CARGO_BIN_EXE_karui-svc"), &["--help"]),
    );
}

#[test]
fn svc_without_state_dir() {
    let text = run(
        env!("CARGO_BIN_EXE_karui-svc"),
        &["--component", lab_2::guests::health().to_str().unwrap()],
    );
    snapshot("svc_without_state_dir", &text);
}
