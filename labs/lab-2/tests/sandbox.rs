//! 敵対的なゲスト: 攻撃ごとに結果を確かめ、直後に同じサーバーが`/health`に答えることを確かめます。

mod common;

use lab_2::client::{Reply, send};
use lab_2::config::EngineKind;
use lab_2::server::RunningServer;

/// 攻撃を1つ送り、その応答と直後の`/health`のステータスを返します。
async fn attack(path: &str) -> (Reply, u16) {
    let server = RunningServer::start(common::hostile_host()).await.unwrap();
    let reply = send(server.addr, "GET", path).await.unwrap();
    let health = send(server.addr, "GET", "/health").await.unwrap().status;
    server.stop().await.unwrap();
    (reply, health)
}

fn body(reply: &Reply) -> String {
    String::from_utf8_lossy(&reply.body).into_owned()
}

#[tokio::test]
async fn loop_is_503() {
    let (reply, _) = attack("/loop").await;
    assert_eq!(reply.status, 503);
}

#[tokio::test]
async fn loop_then_health() {
    let (_, health) = attack("/loop").await;
    assert_eq!(health, 200);
}

#[tokio::test]
async fn memory_is_stopped() {
    let (reply, _) = attack("/memory").await;
    assert_eq!(
        body(&reply),
        "ゲストがメモリの上限を超えたので止めました。\n"
    );
}

#[tokio::test]
async fn memory_then_health() {
    let (_, health) = attack("/memory").await;
    assert_eq!(health, 200);
}

#[tokio::test]
async fn passwd_is_not_readable() {
    let (reply, _) = attack("/passwd").await;
    assert!(
        body(&reply).starts_with("error: "),
        "本文: {}",
        body(&reply)
    );
}

#[tokio::test]
async fn passwd_then_health() {
    let (_, health) = attack("/passwd").await;
    assert_eq!(health, 200);
}

#[tokio::test]
async fn outbound_is_denied() {
    let (reply, _) = attack("/outbound").await;
    assert_eq!(body(&reply), "error: ErrorCode::HttpRequestDenied");
}

#[tokio::test]
async fn outbound_then_health() {
    let (_, health) = attack("/outbound").await;
    assert_eq!(health, 200);
}

#[tokio::test]
async fn stack_is_stopped() {
    let (reply, _) = attack("/stack").await;
    assert_eq!(
        body(&reply),
        "ゲストがスタックを使い切ったので止めました。\n"
    );
}

#[tokio::test]
async fn stack_then_health() {
    let (_, health) = attack("/stack").await;
    assert_eq!(health, 200);
}

#[tokio::test]
async fn huge_body_is_cut() {
    // 切れる前にどこまで届くかはタイミングで変わるので、上限を超えないことと、切れたことを確かめます。
    let (reply, _) = attack("/huge-body").await;
    assert_eq!(
        (reply.body.len() <= 1 << 20, reply.body_error.is_some()),
        (true, true)
    );
}

#[tokio::test]
async fn huge_body_then_health() {
    let (_, health) = attack("/huge-body").await;
    assert_eq!(health, 200);
}

#[tokio::test]
async fn table_cranelift() {
    let outcomes = lab_2::sandbox::run(EngineKind::Cranelift).await.unwrap();
    let text = lab_2::sandbox::render(&outcomes);
    insta::with_settings!({ omit_expression => true }, { insta::assert_snapshot!("table_cranelift", text) });
}

#[tokio::test]
async fn table_pulley() {
    let outcomes = lab_2::sandbox::run(EngineKind::Pulley).await.unwrap();
    let text = lab_2::sandbox::render(&outcomes);
    insta::with_settings!({ omit_expression => true }, { insta::assert_snapshot!("table_pulley", text) });
}
