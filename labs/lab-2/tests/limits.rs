//! 時間制限と同時実行の上限: 壁時計で止まること、ループ中も`/health`が答えること、満員なら503を返すこと。

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use lab_2::client::send;
use lab_2::config::{EngineKind, EngineOptions, Limits};
use lab_2::engine::{EpochTicker, build_engine};
use lab_2::server::{Host, RunningServer};

/// 専用のエンジンで敵対的なゲストを配信します。プーリングの枠はエンジンごとなので、共有のものは使いません。
async fn start(limits: Limits) -> (RunningServer, EpochTicker) {
    let options = EngineOptions::new(EngineKind::Cranelift, limits);
    let engine = build_engine(&options).unwrap();
    let ticker = EpochTicker::start(&engine);
    let host = Host::load(&engine, lab_2::guests::hostile(), limits).unwrap();
    let server = RunningServer::start(Arc::new(host)).await.unwrap();
    (server, ticker)
}

#[tokio::test]
async fn sleep_is_503() {
    let server = RunningServer::start(common::hostile_host()).await.unwrap();
    let reply = send(server.addr, "GET", "/sleep").await.unwrap();
    server.stop().await.unwrap();
    assert_eq!(reply.status, 503);
}

#[tokio::test]
async fn sleep_is_cut_before_guest_wakes() {
    // ゲストは3秒待ちます。時間制限は500 msなので、3秒よりずっと前に503が返るはずです。
    let server = RunningServer::start(common::hostile_host()).await.unwrap();
    let started = Instant::now();
    send(server.addr, "GET", "/sleep").await.unwrap();
    let elapsed = started.elapsed();
    server.stop().await.unwrap();
    assert!(elapsed < Duration::from_secs(2), "{elapsed:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_during_loops() {
    // ワーカーより多いループを走らせても、ゲストがエポックごとに譲るので/healthは待たされません。
    let limits = Limits {
        timeout: Duration::from_secs(3),
        ..Limits::default()
    };
    let (server, _ticker) = start(limits).await;
    let addr = server.addr;
    let loops: Vec<_> = (0..4)
        .map(|_| tokio::spawn(async move { send(addr, "GET", "/loop").await }))
        .collect();
    tokio::time::sleep(Duration::from_millis(300)).await;

    let started = Instant::now();
    let health = send(addr, "GET", "/health").await.unwrap();
    let elapsed = started.elapsed();
    for task in loops {
        let _ = task.await;
    }
    server.stop().await.unwrap();
    assert_eq!(health.status, 200);
    assert!(elapsed < Duration::from_secs(2), "{elapsed:?}");
}

/// 枠1つのホストで/loopを走らせ、その間に/healthを送ります。
async fn while_full() -> lab_2::client::Reply {
    let limits = Limits {
        timeout: Duration::from_secs(2),
        max_instances: 1,
        ..Limits::default()
    };
    let (server, _ticker) = start(limits).await;
    let addr = server.addr;
    let looping = tokio::spawn(async move { send(addr, "GET", "/loop").await });
    tokio::time::sleep(Duration::from_millis(300)).await;
    let reply = send(addr, "GET", "/health").await.unwrap();
    let _ = looping.await;
    server.stop().await.unwrap();
    reply
}

#[tokio::test]
async fn full_is_503() {
    let reply = while_full().await;
    assert_eq!(reply.status, 503);
}

#[tokio::test]
async fn full_says_capacity() {
    let reply = while_full().await;
    assert_eq!(
        String::from_utf8_lossy(&reply.body),
        "ホストは同時に処理できるリクエストの上限に達しています。少し待ってからやり直してください。\n"
    );
}

#[tokio::test]
async fn full_has_retry_after() {
    let reply = while_full().await;
    let retry = reply.headers.iter().find(|(name, _)| name == "retry-after");
    assert_eq!(retry.map(|(_, value)| value.as_str()), Some("1"));
}
