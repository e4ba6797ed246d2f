//! karui-svcをsystemdなしで起動して確かめます: 応答、記録、古い版が新しいスキーマを拒むこと。
//! 停止時の書き込みとv1からv2へのマイグレーションは、演習のテスト（exercises.rs）が確かめます。
//! muslでビルドしたイメージ用のバイナリをそのまま使います（静的リンクなのでホストでも動きます）。

mod common;

use common::{karui_svc, send_health, start};
use lab_1::upgrade::load::http_get_with_head;
use lab_4::service::DB_FILE;

#[test]
fn health_has_version_header() {
    let state = tempfile::tempdir().unwrap();
    let svc = start(1, state.path());
    let (head, body) = http_get_with_head(svc.address, "/health").unwrap();
    assert!(head.contains("\r\nx-karui-version: 1"), "{head}");
    assert_eq!(body, r#"{"status":"ok","version":"0.1.0"}"#);
}

#[test]
fn unknown_path_is_404_and_recorded() {
    let state = tempfile::tempdir().unwrap();
    let svc = start(1, state.path());
    let result = http_get_with_head(svc.address, "/nope");
    assert_eq!(result, Err("BadStatus".to_owned()));
    // 記録のスレッドがコミットするまで待ちます。
    std::thread::sleep(lab_4::service::FLUSH_INTERVAL * 3);
    let (_, metrics) = http_get_with_head(svc.address, "/metrics").unwrap();
    assert!(
        metrics.contains("karui_requests_total{route=\"other\",status=\"404\"} 1\n"),
        "{metrics}"
    );
}

#[test]
fn metrics_json_reports_version_and_schema() {
    let state = tempfile::tempdir().unwrap();
    let svc = start(1, state.path());
    send_health(&svc, 5);
    // 記録のスレッドがコミットするまで待ちます。
    std::thread::sleep(lab_4::service::FLUSH_INTERVAL * 3);
    let (_, body) = http_get_with_head(svc.address, "/metrics?format=json").unwrap();
    let json: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(json["version"], 1);
    assert_eq!(json["schema_version"], 1);
    assert_eq!(json["engine"], "pulley");
    assert_eq!(json["served_by"][0]["count"], 6);
}

// ANCHOR: v1_refuses
#[test]
fn v1_refuses_v2_store() {
    let state = tempfile::tempdir().unwrap();
    let v2 = start(2, state.path());
    assert!(v2.stop().0.success());
    let db = state.path().join(DB_FILE);
    let before = std::fs::read(&db).unwrap();

    // 版2が上げたスキーマを、版1は開かずに止まります。ファイルはそのままです。
    let output = std::process::Command::new(karui_svc(1))
        .args(["--engine", "pulley", "--component"])
        .arg(lab_2::guests::health())
        .arg("--state-dir")
        .arg(state.path())
        .arg("--listen")
        .arg(common::free_port().to_string())
        .output()
        .unwrap();
    let log = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "{log}");
    assert!(
        log.contains("新しい版のイメージをアタッチし直すか"),
        "{log}"
    );
    let state_path = state.path().display().to_string();
    insta::with_settings!({ omit_expression => true, filters => vec![(state_path.as_str(), "[STATE]")] }, {
        insta::assert_snapshot!("v1_refuses_v2_store", log.trim());
    });
    assert_eq!(std::fs::read(&db).unwrap(), before);
}
// ANCHOR_END: v1_refuses

/// 受け付けたがまだリクエストを送っていない接続にも、停止の合図の後で答えます。
/// ソケットのキューにある接続と同じく、systemdがサービスを再起動する間に届いた接続です。
#[test]
fn sigterm_answers_accepted_connection() {
    use std::io::{Read, Write};

    let state = tempfile::tempdir().unwrap();
    let svc = start(1, state.path());
    let mut stream = std::net::TcpStream::connect(svc.address).unwrap();
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(5)))
        .unwrap();
    // 接続がサーバーに受け付けられるのを待ってから、停止の合図を送ります。
    std::thread::sleep(std::time::Duration::from_millis(200));
    let pid = svc.child.as_ref().unwrap().id() as i32;
    // SAFETY: killは自分で起動した子プロセスのpidにシグナルを送るだけです。
    unsafe { libc::kill(pid, libc::SIGTERM) };
    std::thread::sleep(std::time::Duration::from_millis(100));

    stream
        .write_all(b"GET /health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut response = String::new();
    let _ = stream.read_to_string(&mut response);
    assert!(response.starts_with("HTTP/1.1 200 "), "応答: {response:?}");
    let (status, log) = svc.stop_after_signal();
    assert!(status.success(), "{log}");
}
