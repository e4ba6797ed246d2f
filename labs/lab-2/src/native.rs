//! 比較用のネイティブなhyperハンドラーです。healthゲストと同じ応答を返します。

use std::convert::Infallible;

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

/// healthゲストと同じ規則で答えます。
fn respond(req: &Request<Incoming>) -> Response<Full<Bytes>> {
    let (status, body) = match (req.uri().path(), req.method()) {
        ("/health", &Method::GET | &Method::HEAD) => (200, r#"{"status":"ok","version":"0.1.0"}"#),
        ("/health", _) => (405, r#"{"error":"method not allowed"}"#),
        _ => (404, r#"{"error":"not found"}"#),
    };
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from_static(body.as_bytes())))
        .expect("固定のヘッダーは正しい値です")
}

/// 接続を受け続けます。ベンチマークのタスクとして走らせ、終わったらabortします。
pub async fn serve_native(listener: TcpListener) -> std::io::Result<()> {
    loop {
        let (stream, _) = listener.accept().await?;
        tokio::spawn(async move {
            let service = service_fn(|req| async move { Ok::<_, Infallible>(respond(&req)) });
            let _ = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}
