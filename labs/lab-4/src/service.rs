//! karui-svcの中身: `/health`はWASMのコンポーネントに、`/metrics`はSQLiteの記録に答え、
//! すべてのリクエストをSQLiteに記録します。

use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Sender};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::{Request, Response};
use lab_2::server::{Handler, Host, HostBody, text_response};

use crate::VERSION;
use crate::metrics;
use crate::recorder::Writer;
use crate::requests::{RequestLog, RequestRecord, route_label};

pub use crate::recorder::FLUSH_INTERVAL;
/// `/metrics`の分位数を求める範囲（直近の時間）です。
pub const QUANTILE_WINDOW: Duration = Duration::from_secs(300);

/// 応答に付ける、サービスの版のヘッダーです。更新の前後でどちらの版が答えたかを見分けます。
pub const VERSION_HEADER: &str = "x-karui-version";

/// ストアのファイル名です。`StateDirectory=`が用意するディレクトリに置きます。
pub const DB_FILE: &str = "requests.db";

/// リクエストを受けるサービスです。
pub struct App {
    host: Host,
    engine: String,
    records: Mutex<Option<Sender<RequestRecord>>>,
    reader: Mutex<RequestLog>,
}

impl App {
    // ANCHOR: open
    /// `state_dir`のストアを開き（スキーマはこの版まで上げます）、記録のスレッドを起動します。
    pub fn open(host: Host, engine: &str, state_dir: &Path) -> anyhow::Result<(Arc<App>, Writer)> {
        let path = state_dir.join(DB_FILE);
        // 書き手と読み手で接続を分けます。WALなので、/metricsの読み取りは書き込みを待ちません。
        let writer_log = RequestLog::open(&path).map_err(|e| open_error(&path, e))?;
        let reader = RequestLog::open_existing(&path).map_err(|e| open_error(&path, e))?;
        tracing::info!(
            path = %path.display(),
            schema = writer_log.schema_version()?,
            "記録のストアを開きました。"
        );

        let (sender, receiver) = mpsc::channel();
        let writer = Writer::start(writer_log, receiver);
        let app = App {
            host,
            engine: engine.to_owned(),
            records: Mutex::new(Some(sender)),
            reader: Mutex::new(reader),
        };
        Ok((Arc::new(app), writer))
    }
    // ANCHOR_END: open

    /// 記録の受け付けを閉じます。記録のスレッドは残りを書いてから終わります。
    pub fn close(&self) {
        self.records
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .take();
    }

    // ANCHOR: route
    /// 1リクエストを処理して記録します。
    async fn route(&self, req: Request<Incoming>) -> Response<HostBody> {
        let started = Instant::now();
        let route = route_label(req.uri().path());
        let mut response = match route {
            "/health" => self.host.handle(req).await,
            "/metrics" => self.metrics(req.uri().query()).await,
            _ => text_response(
                404,
                "このサービスには/healthと/metricsだけがあります。".into(),
            ),
        };
        let version = http::HeaderValue::from(VERSION);
        response.headers_mut().insert(VERSION_HEADER, version);

        // 応答のヘッダーができた時点までを処理時間として記録します。
        let record = RequestRecord {
            timestamp_ms: lab_3::time::now_ms(),
            route,
            status: response.status().as_u16(),
            latency_us: started.elapsed().as_micros() as u64,
        };
        let records = self.records.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(sender) = records.as_ref()
            && sender.send(record).is_err()
        {
            tracing::warn!(
                route,
                "記録のスレッドが止まっているので、このリクエストを記録できません。"
            );
        }
        drop(records);
        response
    }
    // ANCHOR_END: route

    /// `/metrics`: 既定はPrometheusのテキスト形式、`?format=json`ならJSONです。
    async fn metrics(&self, query: Option<&str>) -> Response<HostBody> {
        let json = query.is_some_and(|q| q.split('&').any(|pair| pair == "format=json"));
        let since_ms = lab_3::time::now_ms() - QUANTILE_WINDOW.as_millis() as i64;
        // SQLiteの読み取りはブロックするので、tokioのワーカーを止めないよう別スレッドで行います。
        let summary = tokio::task::block_in_place(|| {
            self.reader
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .summary(since_ms)
        });
        let summary = match summary {
            Ok(summary) => summary,
            Err(error) => {
                tracing::error!("メトリクスを読めません: {error}");
                return text_response(500, format!("メトリクスを読めません: {error}"));
            }
        };
        let (body, content_type) = if json {
            (metrics::json(&summary, &self.engine), "application/json")
        } else {
            (
                metrics::prometheus(&summary, &self.engine),
                "text/plain; version=0.0.4; charset=utf-8",
            )
        };
        let body = Full::new(Bytes::from(body))
            .map_err(|never| match never {})
            .boxed_unsync();
        Response::builder()
            .header("content-type", content_type)
            .body(body)
            .expect("固定のヘッダーは正しい値です")
    }
}

impl Handler for App {
    fn handle(&self, req: Request<Incoming>) -> impl Future<Output = Response<HostBody>> + Send {
        self.route(req)
    }
}

/// ストアを開けないときのエラーに、サービスとしての対処を足します。
fn open_error(path: &Path, error: lab_3::StoreError) -> anyhow::Error {
    if let lab_3::StoreError::SchemaTooNew {
        found, supported, ..
    } = error
    {
        return anyhow::anyhow!(
            "{}のスキーマはバージョン{found}で、このkarui-svc（版{VERSION}）が扱えるのは{supported}までです。ファイルには触れていません。新しい版がスキーマを上げたあとで古い版を起動したときに起きます。新しい版のイメージをアタッチし直すか、更新前のバックアップを戻してください。",
            path.display()
        );
    }
    anyhow::anyhow!(
        "{}のストアを開けません: {error}\nStateDirectory=のディレクトリとファイルの権限を確かめてください。",
        path.display()
    )
}

/// `--state-dir`がなく、`STATE_DIRECTORY`（systemdの`StateDirectory=`が設定します）もないときのエラーです。
pub fn state_dir_from_env(arg: Option<PathBuf>) -> anyhow::Result<PathBuf> {
    if let Some(dir) = arg {
        return Ok(dir);
    }
    // StateDirectory=に複数を書くと`:`区切りになるので、最初のものを使います。
    match std::env::var_os("STATE_DIRECTORY") {
        Some(value) => {
            let value = value.to_string_lossy().into_owned();
            Ok(PathBuf::from(value.split(':').next().unwrap_or_default()))
        }
        None => anyhow::bail!(
            "記録を置くディレクトリがありません。--state-dir DIRを指定するか、ユニットにStateDirectory=karuiを書いてください。"
        ),
    }
}
