//! hyper + tokioのHTTPサーバーです。リクエストごとに新しいインスタンスでゲストを呼びます。

use std::convert::Infallible;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::combinators::UnsyncBoxBody;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use wasmtime::Engine;
use wasmtime::component::Linker;
use wasmtime_wasi_http::WasiHttpView;
use wasmtime_wasi_http::p2::bindings::ProxyPre;
use wasmtime_wasi_http::p2::bindings::http::types::Scheme;
use wasmtime_wasi_http::p2::body::HyperOutgoingBody;

use crate::config::{EPOCH_TICK, Limits};
use crate::errors::{LoadError, load_component, pre_instantiate};
use crate::host::{HostState, new_store};
use crate::limits::{Stop, WallClockTimeout, classify, from_error_code};

/// クライアントへ返す本文の型です。
pub type HostBody = UnsyncBoxBody<Bytes, Box<dyn std::error::Error + Send + Sync>>;

/// 事前インスタンス化したコンポーネントと制限を持つホストです。
pub struct Host {
    pre: ProxyPre<HostState>,
    limits: Limits,
}

// ANCHOR: host_new
impl Host {
    /// コンポーネントを読み込み、インポートを解決して事前インスタンス化します。
    pub fn load(engine: &Engine, path: &Path, limits: Limits) -> Result<Host, LoadError> {
        let component = load_component(engine, path, limits.memory_bytes)?;

        // WASI 0.2の標準インターフェースとwasi:httpをリンカーに入れます。
        // 何を許すかはインターフェースではなく、StoreごとのWasiCtxで決めます。
        let mut linker = Linker::new(engine);
        wasmtime_wasi::p2::add_to_linker_async(&mut linker).expect("WASIの定義は重複しません");
        wasmtime_wasi_http::p2::add_only_http_to_linker_async(&mut linker)
            .expect("wasi:httpの定義は重複しません");

        // 型の検査とインポートの解決を、ここで1回だけ済ませます。
        let pre = pre_instantiate(&linker, &component, path)?;
        Ok(Host { pre, limits })
    }
}
// ANCHOR_END: host_new

// ANCHOR: handle
impl Host {
    /// 1リクエストを処理します。ゲストが止まっても、サーバーは次のリクエストを受けます。
    pub async fn handle(&self, req: Request<Incoming>) -> Response<HostBody> {
        let started = Instant::now();
        let (method, path) = (req.method().clone(), req.uri().path().to_string());

        match self.call_guest(req).await {
            Ok(response) => {
                let status = response.status().as_u16();
                tracing::debug!(%method, path, status, elapsed = ?started.elapsed(), "応答しました。");
                // 応答本文は上限までしか流しません。超えたら接続を切ります。
                let max = self.limits.max_body_bytes as usize;
                response.map(|body| Limited::new(body, max).boxed_unsync())
            }
            Err(stop) => {
                tracing::warn!(%method, path, mechanism = stop.mechanism(), "{}", stop.message());
                let mut response = text_response(stop.status(), stop.message());
                // 満員は一時的なので、1秒後にやり直してよいと伝えます。
                if stop == Stop::Capacity {
                    let retry = http::HeaderValue::from_static("1");
                    response
                        .headers_mut()
                        .insert(http::header::RETRY_AFTER, retry);
                }
                response
            }
        }
    }
}
// ANCHOR_END: handle

// ANCHOR: call_guest
impl Host {
    /// 新しいStoreとインスタンスでゲストの`handle`を呼び、応答ヘッダーを待ちます。
    async fn call_guest(
        &self,
        req: Request<Incoming>,
    ) -> Result<Response<HyperOutgoingBody>, Stop> {
        let mut store = new_store(self.pre.engine(), &self.limits);
        let (sender, receiver) = tokio::sync::oneshot::channel();
        let mut http = store.data_mut().http();
        let req = http
            .new_incoming_request(Scheme::Http, req)
            .map_err(|e| classify(&e))?;
        let out = http
            .new_response_outparam(sender)
            .map_err(|e| classify(&e))?;

        // 本文を書き終えるまでゲストは動き続けるので、別タスクで実行します。
        // エポックはWASMの実行中にしか効かないので、ホストの呼び出しで待つゲストは
        // tokioのタイムアウト（壁時計）で止めます。エポックより1刻み遅らせ、WASMの実行中はエポックに任せます。
        let pre = self.pre.clone();
        let limit = self.limits.timeout + EPOCH_TICK;
        let task = tokio::spawn(async move {
            let run = async {
                let proxy = pre.instantiate_async(&mut store).await?;
                let handler = proxy.wasi_http_incoming_handler();
                handler.call_handle(&mut store, req, out).await
            };
            match tokio::time::timeout(limit, run).await {
                Ok(result) => result,
                Err(_) => Err(wasmtime::Error::new(WallClockTimeout(limit))),
            }
        });

        match receiver.await {
            Ok(Ok(response)) => {
                tokio::spawn(log_late_failure(task));
                Ok(response)
            }
            Ok(Err(code)) => Err(from_error_code(&code)),
            // 応答を設定しないままゲストが終わると送り手が捨てられます。理由はタスクの結果にあります。
            Err(_) => match task.await {
                Ok(Ok(())) => Err(Stop::NoResponse),
                Ok(Err(err)) => Err(classify(&err)),
                Err(join) => Err(Stop::Trap(join.to_string())),
            },
        }
    }
}
// ANCHOR_END: call_guest

/// 応答ヘッダーを返したあとに本文の途中でゲストが止まったら、ログに残します。
async fn log_late_failure(task: tokio::task::JoinHandle<wasmtime::Result<()>>) {
    if let Ok(Err(err)) = task.await {
        let stop = classify(&err);
        tracing::warn!(
            mechanism = stop.mechanism(),
            "本文の途中で{}",
            stop.message()
        );
    }
}

/// ホスト自身が返す短いテキストの応答です。
pub fn text_response(status: u16, text: String) -> Response<HostBody> {
    let body = Full::new(Bytes::from(text + "\n"))
        .map_err(|never: Infallible| match never {})
        .boxed_unsync();
    Response::builder()
        .status(status)
        .header("content-type", "text/plain; charset=utf-8")
        .body(body)
        .expect("固定のヘッダーは正しい値です")
}

/// 1リクエストを受けて応答を返すものです。[`serve`]は接続ごとにこれを呼びます。
/// このラボでは[`Host`]、第4章のサービスではメトリクスを記録するルーターです。
pub trait Handler: Send + Sync + 'static {
    fn handle(&self, req: Request<Incoming>) -> impl Future<Output = Response<HostBody>> + Send;
}

impl Handler for Host {
    fn handle(&self, req: Request<Incoming>) -> impl Future<Output = Response<HostBody>> + Send {
        Host::handle(self, req)
    }
}

// ANCHOR: serve
/// 接続を受け続け、`shutdown`が完了したら新しい接続の受け付けをやめ、処理中のものを待ちます。
pub async fn serve<H: Handler>(
    listener: TcpListener,
    host: Arc<H>,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let graceful = GracefulShutdown::new();
    let unread = Arc::new(AtomicUsize::new(0));
    tokio::pin!(shutdown);

    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = &mut shutdown => break,
        };
        // 受け付けの失敗（ファイル記述子の不足など）では止まらず、少し待って続けます。
        let (stream, peer) = match accepted {
            Ok(accepted) => accepted,
            Err(err) => {
                tracing::warn!("接続を受け付けられません: {err}");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };

        // 接続ごとのタスクです。keep-aliveで同じ接続の複数のリクエストを処理します。
        // 最初のリクエストを読むまでは、`unread`に数えておきます。
        let first = FirstRequest::new(&unread);
        let host = host.clone();
        let seen = first.clone();
        let service = service_fn(move |req| {
            seen.arrived();
            let host = host.clone();
            async move { Ok::<_, Infallible>(host.handle(req).await) }
        });
        let conn = http1::Builder::new().serve_connection(TokioIo::new(stream), service);
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            if let Err(err) = conn.await {
                tracing::debug!(%peer, "接続が途中で切れました: {err}");
            }
            first.arrived();
        });
    }

    // 新しい接続はもう受けません。処理中の応答は最大10秒待ちます。
    drop(listener);
    tracing::info!(
        "終了の合図（SIGTERMかCtrl-C）を受けました。処理中のリクエストを最大10秒待ちます。"
    );
    // hyperの正常な停止は、まだリクエストを読んでいない接続をその場で閉じます。
    // 受け付け済みの接続はクライアントがリクエストを送り終えているはずなので、最初のリクエストを読むまで待ちます（最大1秒）。
    // NOTE: 1秒は上限の目安です。接続してから1秒より後にリクエストを送るクライアントの接続は、これまでどおり閉じます。
    let deadline = tokio::time::Instant::now() + Duration::from_secs(1);
    while unread.load(Ordering::Acquire) > 0 && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    if tokio::time::timeout(Duration::from_secs(10), graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("10秒待っても終わらない接続を打ち切りました。");
    }
    Ok(())
}
// ANCHOR_END: serve

/// 受け付けた接続が、最初のリクエストを読んだか（または閉じたか）を、共有の数に1回だけ反映します。
#[derive(Clone)]
struct FirstRequest {
    done: Arc<AtomicBool>,
    unread: Arc<AtomicUsize>,
}

impl FirstRequest {
    fn new(unread: &Arc<AtomicUsize>) -> FirstRequest {
        unread.fetch_add(1, Ordering::AcqRel);
        FirstRequest {
            done: Arc::new(AtomicBool::new(false)),
            unread: unread.clone(),
        }
    }

    /// 最初のリクエストが届いたか、接続が終わりました。2回目からは何もしません。
    fn arrived(&self) {
        if !self.done.swap(true, Ordering::AcqRel) {
            self.unread.fetch_sub(1, Ordering::AcqRel);
        }
    }
}
// ANCHOR_END: serve

/// 裏で動いているサーバーです。dropすると終了の合図を送ります。
pub struct RunningServer {
    pub addr: std::net::SocketAddr,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

impl RunningServer {
    /// 127.0.0.1の空いているポートで`host`を配信し始めます。
    pub async fn start(host: Arc<Host>) -> std::io::Result<RunningServer> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let (shutdown, signal) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(serve(listener, host, async {
            let _ = signal.await;
        }));
        Ok(RunningServer {
            addr,
            shutdown: Some(shutdown),
            task: Some(task),
        })
    }

    /// 終了の合図を送り、処理中の応答が終わるまで待ちます。
    pub async fn stop(mut self) -> std::io::Result<()> {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        match self.task.take() {
            Some(task) => task.await.map_err(std::io::Error::other)?,
            None => Ok(()),
        }
    }
}

impl Drop for RunningServer {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
    }
}

impl Host {
    /// 事前インスタンス化したコンポーネントです（ベンチマークが直接使います）。
    pub fn pre(&self) -> &ProxyPre<HostState> {
        &self.pre
    }
}
