//! 負荷生成: 1リクエストごとにTCP接続を1本張り、再試行はしません。タイムアウトは5秒です。
//! 件数と時間の両方に上限があり、どちらかに達すると止まります。

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use serde::Serialize;

/// 1リクエストの上限時間（接続、書き込み、読み込みそれぞれ）。
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(5);

/// 負荷の結果。
#[derive(Debug, Clone, Default, Serialize)]
pub struct LoadReport {
    pub sent: u64,
    pub failed: u64,
    /// 版ごとの成功数。
    pub versions: BTreeMap<String, u64>,
    /// 失敗の種類ごとの数（`ConnectionRefused`など）。
    pub errors: BTreeMap<String, u64>,
    /// 成功した応答の版を、受け取った順に並べたときの版の切り替わり（例: `["1", "2"]`）。
    pub version_sequence: Vec<String>,
}

#[derive(Default)]
struct Shared {
    stop: AtomicBool,
    sent: AtomicU64,
    report: Mutex<LoadReport>,
}

/// 動いている負荷。[`Load::finish`] で止めて結果を受け取ります。
pub struct Load {
    shared: Arc<Shared>,
    workers: Vec<JoinHandle<()>>,
}

// ANCHOR: start
impl Load {
    /// `workers`本のスレッドで`address`の`GET /health`を送り続けます。
    /// 合計`max_requests`件か`max_duration`で止まります。
    pub fn start(
        address: SocketAddr,
        workers: usize,
        max_requests: u64,
        max_duration: Duration,
    ) -> Self {
        Self::start_with(address, workers, max_requests, max_duration, request_health)
    }

    /// [`Load::start`]と同じですが、1リクエストを`probe`で送ります。`probe`は応答の版を返します。
    pub fn start_with(
        address: SocketAddr,
        workers: usize,
        max_requests: u64,
        max_duration: Duration,
        probe: fn(SocketAddr) -> Result<String, String>,
    ) -> Self {
        let shared = Arc::new(Shared::default());
        let deadline = Instant::now() + max_duration;
        let workers = (0..workers)
            .map(|_| {
                let shared = shared.clone();
                thread::spawn(move || {
                    while !shared.stop.load(Ordering::Relaxed) && Instant::now() < deadline {
                        if shared.sent.fetch_add(1, Ordering::Relaxed) >= max_requests {
                            shared.sent.fetch_sub(1, Ordering::Relaxed);
                            break;
                        }
                        let result = probe(address);
                        record(&shared, result);
                    }
                })
            })
            .collect();
        Self { shared, workers }
    }
    // ANCHOR_END: start

    /// ここまでに送った件数と、応答のあった版の数。
    pub fn progress(&self) -> (u64, BTreeMap<String, u64>) {
        let report = self
            .shared
            .report
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        (
            self.shared.sent.load(Ordering::Relaxed),
            report.versions.clone(),
        )
    }

    /// 止めて、すべてのスレッドの終わりを待ってから結果を返します。
    pub fn finish(self) -> LoadReport {
        self.shared.stop.store(true, Ordering::Relaxed);
        for worker in self.workers {
            let _ = worker.join();
        }
        let mut report = self
            .shared
            .report
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone();
        report.sent = self.shared.sent.load(Ordering::Relaxed);
        report
    }
}

fn record(shared: &Shared, result: Result<String, String>) {
    let mut report = shared
        .report
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    match result {
        Ok(version) => {
            *report.versions.entry(version.clone()).or_default() += 1;
            if report.version_sequence.last() != Some(&version) {
                report.version_sequence.push(version);
            }
        }
        Err(kind) => {
            report.failed += 1;
            *report.errors.entry(kind).or_default() += 1;
        }
    }
}

// ANCHOR: request
/// 接続を1本張って`GET /health`を送り、応答の版を返します。失敗は種類の名前で返します。
pub fn request_health(address: SocketAddr) -> Result<String, String> {
    let body = http_get(address, "/health")?;
    let version = body
        .split("\"version\":\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next());
    version
        .map(str::to_owned)
        .ok_or_else(|| "BadBody".to_owned())
}

/// 接続を1本張って`GET path`を送り、200の応答の本文を返します。再試行はしません。
pub fn http_get(address: SocketAddr, path: &str) -> Result<String, String> {
    http_get_with_head(address, path).map(|(_, body)| body)
}

/// [`http_get`]と同じですが、ヘッダー部（ステータス行を含む）と本文の組を返します。
pub fn http_get_with_head(address: SocketAddr, path: &str) -> Result<(String, String), String> {
    let kind = |error: std::io::Error| format!("{:?}", error.kind());
    let mut stream = TcpStream::connect_timeout(&address, REQUEST_TIMEOUT).map_err(kind)?;
    stream
        .set_read_timeout(Some(REQUEST_TIMEOUT))
        .map_err(kind)?;
    stream
        .set_write_timeout(Some(REQUEST_TIMEOUT))
        .map_err(kind)?;

    let request = format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).map_err(kind)?;
    let mut response = String::new();
    stream.read_to_string(&mut response).map_err(kind)?;

    // 何も返さずに閉じた接続は、200以外の応答と分けて数えます。
    if response.is_empty() {
        return Err("EmptyResponse".to_owned());
    }
    match response.split_once("\r\n\r\n") {
        Some((head, body)) if head.starts_with("HTTP/1.1 200 ") => {
            Ok((head.to_owned(), body.to_owned()))
        }
        _ => Err("BadStatus".to_owned()),
    }
}
// ANCHOR_END: request
