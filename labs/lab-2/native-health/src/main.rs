//! healthゲストと同じ応答を返すネイティブのサーバーです（サイズの比較用）。
//! ハンドラーはlab-2の`src/native.rs`をそのまま使います。

#[path = "../../src/native.rs"]
mod native;

#[tokio::main(flavor = "current_thread")]
async fn main() -> std::io::Result<()> {
    let addr = std::env::args().nth(1).unwrap_or_else(|| "127.0.0.1:8080".into());
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    native::serve_native(listener).await
}
