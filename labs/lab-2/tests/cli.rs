//! CLI: 日本語のヘルプとエラー、`serve`の端から端まで（ループバックのみ、回数と時間は有限）。

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_lab-2");

/// 引数を渡して実行し、標準出力と標準エラーをつないだ文字列を返します。
fn run(args: &[&str]) -> String {
    let output = Command::new(BIN)
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

#[test]
fn help() {
    insta::with_settings!({ omit_expression => true }, { insta::assert_snapshot!("help", run(&["--help"])) });
}

#[test]
fn serve_help() {
    let text = run(&["serve", "--help"]);
    insta::with_settings!({ omit_expression => true }, { insta::assert_snapshot!("serve_help", text) });
}

#[test]
fn compile_help() {
    let text = run(&["compile", "--help"]);
    insta::with_settings!({ omit_expression => true }, { insta::assert_snapshot!("compile_help", text) });
}

#[test]
fn bench_help() {
    let text = run(&["bench", "--help"]);
    insta::with_settings!({ omit_expression => true }, { insta::assert_snapshot!("bench_help", text) });
}

#[test]
fn no_command() {
    insta::assert_snapshot!("no_command", run(&[]));
}

#[test]
fn missing_argument() {
    insta::assert_snapshot!("missing_argument", run(&["compile"]));
}

#[test]
fn extra_argument() {
    insta::assert_snapshot!("extra_argument", run(&["serve", "a.wasm", "b.wasm"]));
}

#[test]
fn unknown_option() {
    insta::assert_snapshot!("unknown_option", run(&["guests", "--foo"]));
}

#[test]
fn serve_memory_below_minimum() {
    let text = run(&["serve", "--memory-mib", "1"]);
    let text = text.replace(lab_2::guests::health().to_str().unwrap(), "[HEALTH]");
    insta::assert_snapshot!("serve_memory_below_minimum", text);
}

#[test]
fn logs_without_color() {
    // 標準エラーが端末でなければ、NO_COLORがなくてもANSIの色を付けません。
    let mut child = Command::new(BIN)
        .args(["serve", "--addr", "127.0.0.1:0"])
        .env_remove("NO_COLOR")
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let _guard = ChildGuard(child);
    let mut line = String::new();
    BufReader::new(stderr).read_line(&mut line).unwrap();
    assert!(!line.contains('\x1b'), "{line:?}");
}

#[test]
fn unknown_command() {
    insta::assert_snapshot!("unknown_command", run(&["deploy"]));
}

#[test]
fn bad_engine() {
    insta::assert_snapshot!("bad_engine", run(&["serve", "--engine", "v8"]));
}

#[test]
fn serve_missing_file() {
    insta::assert_snapshot!(
        "serve_missing_file",
        run(&["serve", "/nonexistent/app.wasm"])
    );
}

/// 子プロセスをdropで必ず止めるガードです。
struct ChildGuard(Child);

impl Drop for ChildGuard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `lab-2 serve`を空いているポートで起動し、ログから待ち受けアドレスを読み取ります。
fn start_serve(extra: &[&str]) -> (ChildGuard, SocketAddr, std::sync::mpsc::Receiver<String>) {
    let mut child = Command::new(BIN)
        .args(["serve", "--addr", "127.0.0.1:0"])
        .args(extra)
        .env("NO_COLOR", "1")
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let guard = ChildGuard(child);

    // ログの行を別スレッドで読み、チャネルに流します。
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let line = rx
        .recv_timeout(Duration::from_secs(60))
        .expect("起動のログが60秒以内に出ません");
    let addr = line
        .split("addr=")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("ログにアドレスがありません: {line}"))
        .parse()
        .unwrap();
    (guard, addr, rx)
}

/// SIGTERMを送り、終了コードを待ちます。
fn terminate(guard: &mut ChildGuard) -> i32 {
    let pid = guard.0.id().to_string();
    Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    guard.0.wait().unwrap().code().unwrap_or(-1)
}

fn get_health(addr: SocketAddr) -> u16 {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime
        .block_on(lab_2::client::send(addr, "GET", "/health"))
        .unwrap()
        .status
}

#[test]
fn serve_answers_health() {
    let (_guard, addr, _logs) = start_serve(&[]);
    assert_eq!(get_health(addr), 200);
}

#[test]
fn serve_stops_on_sigterm() {
    let (mut guard, addr, _logs) = start_serve(&[]);
    get_health(addr);
    assert_eq!(terminate(&mut guard), 0);
}

#[test]
fn serve_logs_shutdown() {
    let (mut guard, _addr, logs) = start_serve(&[]);
    terminate(&mut guard);
    let rest: Vec<String> = logs.try_iter().collect();
    assert!(
        rest.iter().any(|l| l.contains("停止しました。")),
        "ログ: {rest:?}"
    );
}

#[test]
fn compile_then_serve_pulley() {
    let dir = tempfile::tempdir().unwrap();
    let cwasm = dir.path().join("health.cwasm");
    let health = lab_2::guests::health().to_str().unwrap();
    run(&[
        "compile",
        health,
        "-o",
        cwasm.to_str().unwrap(),
        "--engine",
        "pulley",
    ]);
    let (_guard, addr, _logs) = start_serve(&[cwasm.to_str().unwrap(), "--engine", "pulley"]);
    assert_eq!(get_health(addr), 200);
}

#[test]
fn compile_then_serve_cranelift() {
    let dir = tempfile::tempdir().unwrap();
    let cwasm = dir.path().join("health.cwasm");
    let health = lab_2::guests::health().to_str().unwrap();
    run(&["compile", health, "-o", cwasm.to_str().unwrap()]);
    let (_guard, addr, _logs) = start_serve(&[cwasm.to_str().unwrap()]);
    assert_eq!(get_health(addr), 200);
}

#[test]
fn serve_wrong_engine_artifact() {
    // Craneliftでコンパイルした成果物は、Pulleyのエンジンでは読み込めません。
    let dir = tempfile::tempdir().unwrap();
    let cwasm = dir.path().join("health.cwasm");
    let health = lab_2::guests::health().to_str().unwrap();
    run(&["compile", health, "-o", cwasm.to_str().unwrap()]);
    let text = run(&["serve", cwasm.to_str().unwrap(), "--engine", "pulley"]);
    let text = text.replace(&dir.path().display().to_string(), "[DIR]");
    let text = text.replace(std::env::consts::ARCH, "[ARCH]");
    insta::with_settings!({ omit_expression => true }, { insta::assert_snapshot!("serve_wrong_engine_artifact", text) });
}
