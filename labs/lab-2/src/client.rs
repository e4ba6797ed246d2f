//! テストとサンドボックスのための小さなHTTP/1.1クライアントです（1リクエスト1接続）。

use std::net::SocketAddr;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper::Request;
use hyper_util::rt::TokioIo;

/// 1回のリクエストの時間の上限です。
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(5);

/// 受け取った応答です。本文が途中で切れたときは`body_error`にその理由が入ります。
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub body_error: Option<String>,
}

/// `method path`を送り、応答を最後まで（または切れるまで）読みます。
pub async fn send(addr: SocketAddr, method: &str, path: &str) -> anyhow::Result<Reply> {
    tokio::time::timeout(REQUEST_TIMEOUT, send_inner(addr, method, path))
        .await
        .map_err(|_| anyhow::anyhow!("{method} {path}が{REQUEST_TIMEOUT:?}以内に終わりません。"))?
}

async fn send_inner(addr: SocketAddr, method: &str, path: &str) -> anyhow::Result<Reply> {
    let stream = tokio::net::TcpStream::connect(addr).await?;
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(conn);

    let request = Request::builder()
        .method(method)
        .uri(path)
        .header("host", addr.to_string())
        .body(Empty::<Bytes>::new())?;
    let response = sender.send_request(request).await?;

    let status = response.status().as_u16();
    let headers = response
        .headers()
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("?").to_string()))
        .collect();

    // 本文はフレームごとに読み、途中で切れてもそこまでの長さを残します。
    let mut body_stream = response.into_body();
    let mut body = Vec::new();
    let mut body_error = None;
    while let Some(frame) = body_stream.frame().await {
        match frame {
            Ok(frame) => body.extend_from_slice(frame.data_ref().map_or(&[][..], |d| d)),
            Err(err) => {
                body_error = Some(err.to_string());
                break;
            }
        }
    }
    Ok(Reply {
        status,
        headers,
        body,
        body_error,
    })
}
