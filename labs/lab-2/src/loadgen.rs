//! 有限の負荷生成器: keep-aliveのHTTP/1.1接続を何本か張り、決めた時間だけ`/health`を送り続けます。

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper::Request;
use hyper_util::rt::TokioIo;

/// 負荷の結果です。
#[derive(Debug, Clone, serde::Serialize)]
pub struct LoadResult {
    pub ok: u64,
    pub failed: u64,
    pub elapsed: Duration,
    pub p50: Duration,
    pub p99: Duration,
}

impl LoadResult {
    /// 1秒あたりの成功したリクエスト数です。
    pub fn rps(&self) -> f64 {
        self.ok as f64 / self.elapsed.as_secs_f64()
    }
}

/// 1接続あたりのリクエスト数の上限です（時間に加えて回数でも止めます）。
const MAX_PER_CONNECTION: u64 = 2_000_000;

// ANCHOR: load
/// `connections`本の接続で`duration`のあいだGET /healthを送ります。
pub async fn load(addr: SocketAddr, connections: usize, duration: Duration) -> LoadResult {
    let started = Instant::now();
    let deadline = started + duration;
    let tasks: Vec<_> = (0..connections)
        .map(|_| tokio::spawn(one_connection(addr, deadline)))
        .collect();

    let (mut ok, mut failed, mut latencies) = (0, 0, Vec::new());
    for task in tasks {
        let (o, f, l) = task.await.unwrap_or((0, 1, Vec::new()));
        ok += o;
        failed += f;
        latencies.extend(l);
    }
    let elapsed = started.elapsed();
    latencies.sort();
    let pick = |q: f64| {
        latencies
            .get(((latencies.len() as f64 - 1.0) * q) as usize)
            .copied()
    };
    LoadResult {
        ok,
        failed,
        elapsed,
        p50: pick(0.5).unwrap_or_default(),
        p99: pick(0.99).unwrap_or_default(),
    }
}
// ANCHOR_END: load

/// 1本の接続でリクエストを順に送ります。成功数、失敗数、レイテンシを返します。
async fn one_connection(addr: SocketAddr, deadline: Instant) -> (u64, u64, Vec<Duration>) {
    let (mut ok, mut failed, mut latencies) = (0, 0, Vec::new());
    let Ok(stream) = tokio::net::TcpStream::connect(addr).await else {
        return (0, 1, latencies);
    };
    let Ok((mut sender, conn)) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await
    else {
        return (0, 1, latencies);
    };
    tokio::spawn(conn);

    while Instant::now() < deadline && ok + failed < MAX_PER_CONNECTION {
        let request = Request::get("/health")
            .header("host", addr.to_string())
            .body(Empty::<Bytes>::new())
            .expect("固定のリクエストは正しい値です");
        let sent = Instant::now();
        let done = match sender.send_request(request).await {
            Ok(response) => {
                response.status() == 200 && response.into_body().collect().await.is_ok()
            }
            Err(_) => false,
        };
        latencies.push(sent.elapsed());
        if done {
            ok += 1;
        } else {
            // 接続が壊れたら、この接続での計測はやめます。
            failed += 1;
            break;
        }
    }
    (ok, failed, latencies)
}
