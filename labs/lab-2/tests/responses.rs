//! healthゲストの応答: ステータス、ヘッダー（日付を除く）、本文。

mod common;

use lab_2::client::send;
use lab_2::server::RunningServer;

async fn fetch(method: &str, path: &str) -> String {
    let server = RunningServer::start(common::health_host()).await.unwrap();
    let reply = send(server.addr, method, path).await.unwrap();
    server.stop().await.unwrap();
    common::render(&reply)
}

#[tokio::test]
async fn get_health() {
    let text = fetch("GET", "/health").await;
    insta::with_settings!({ omit_expression => true }, { insta::assert_snapshot!("get_health", text) });
}

#[tokio::test]
async fn head_health() {
    let text = fetch("HEAD", "/health").await;
    insta::with_settings!({ omit_expression => true }, { insta::assert_snapshot!("head_health", text) });
}

#[tokio::test]
async fn get_health_with_query() {
    let text = fetch("GET", "/health?verbose=1").await;
    insta::assert_snapshot!("get_health_with_query", text);
}

#[tokio::test]
async fn post_health() {
    let text = fetch("POST", "/health").await;
    insta::with_settings!({ omit_expression => true }, { insta::assert_snapshot!("post_health", text) });
}

#[tokio::test]
async fn get_unknown_path() {
    let text = fetch("GET", "/metrics").await;
    insta::with_settings!({ omit_expression => true }, { insta::assert_snapshot!("get_unknown_path", text) });
}

#[tokio::test]
async fn keep_alive_serves_many() {
    // 同じサーバーに50回続けて聞き、すべて200であることを確かめます（新しいインスタンスが毎回作られます）。
    let server = RunningServer::start(common::health_host()).await.unwrap();
    let mut statuses = Vec::new();
    for _ in 0..50 {
        statuses.push(send(server.addr, "GET", "/health").await.unwrap().status);
    }
    server.stop().await.unwrap();
    assert_eq!(statuses, vec![200; 50]);
}
