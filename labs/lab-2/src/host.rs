//! 1リクエスト分のホストの状態（`Store`のデータ）です。
//! ゲストに渡すケイパビリティはここで決まります。リンカーにはWASI 0.2の全インターフェースがあり、
//! 使わせないものは、このWasiCtxとフックが拒否します。

use std::time::Instant;

use wasmtime::component::ResourceTable;
use wasmtime::{Engine, Store, UpdateDeadline};
use wasmtime_wasi::{WasiCtx, WasiCtxBuilder, WasiCtxView, WasiView};
use wasmtime_wasi_http::{WasiHttpCtx, WasiHttpCtxView, WasiHttpHooks, WasiHttpView};

use crate::config::Limits;
use crate::limits::MemoryLimiter;

/// `Store<HostState>`の中身です。リクエストごとに新しく作り、終われば捨てます。
pub struct HostState {
    wasi: WasiCtx,
    http: WasiHttpCtx,
    table: ResourceTable,
    limiter: MemoryLimiter,
    hooks: DenyOutbound,
}

// ANCHOR: new_store
/// 制限をかけた新しい`Store`を作ります。
pub fn new_store(engine: &Engine, limits: &Limits) -> Store<HostState> {
    // 環境変数も引数も、プリオープンしたディレクトリもネットワークも渡しません。
    let wasi = WasiCtxBuilder::new()
        .allow_tcp(false)
        .allow_udp(false)
        .allow_ip_name_lookup(false)
        .build();

    let state = HostState {
        wasi,
        http: WasiHttpCtx::new(),
        table: ResourceTable::new(),
        limiter: MemoryLimiter {
            max_bytes: limits.memory_bytes,
        },
        hooks: DenyOutbound,
    };
    let mut store = Store::new(engine, state);
    // メモリの上限を超えるmemory.growは、失敗を返す代わりにトラップにします。
    store.limiter(|state| &mut state.limiter);

    // エポックが1つ進むたびにコールバックを呼び、tokioに譲ります（ワーカーを独占しません）。
    // 時間制限を過ぎていたら、譲る代わりにトラップにします。
    let (started, timeout) = (Instant::now(), limits.timeout);
    store.set_epoch_deadline(1);
    store.epoch_deadline_callback(move |_| match started.elapsed() >= timeout {
        true => Ok(UpdateDeadline::Interrupt),
        false => Ok(UpdateDeadline::Yield(1)),
    });
    store
}
// ANCHOR_END: new_store

impl WasiView for HostState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

impl WasiHttpView for HostState {
    fn http(&mut self) -> WasiHttpCtxView<'_> {
        WasiHttpCtxView {
            ctx: &mut self.http,
            table: &mut self.table,
            hooks: &mut self.hooks,
        }
    }
}

// ANCHOR: deny_outbound
/// 外向きのHTTPを一切許さないフックです。ゲストには`HTTP-request-denied`が返ります。
pub struct DenyOutbound;

impl WasiHttpHooks for DenyOutbound {
    fn send_request(
        &mut self,
        request: http::Request<wasmtime_wasi_http::WasiBody>,
        _options: Option<wasmtime_wasi_http::RequestOptions>,
        _fut: Box<dyn Future<Output = Result<(), wasmtime_wasi_http::Error>> + Send>,
    ) -> Box<dyn Future<Output = OutgoingResult> + Send> {
        tracing::warn!(uri = %request.uri(), "ゲストの外向きHTTPリクエストを拒否しました。");
        Box::new(async { Err(wasmtime_wasi_http::Error::HttpRequestDenied) })
    }
}
// ANCHOR_END: deny_outbound

/// `send_request`が返す値の型です。
type OutgoingResult = Result<
    (
        http::Response<wasmtime_wasi_http::WasiBody>,
        Box<dyn Future<Output = Result<(), wasmtime_wasi_http::Error>> + Send>,
    ),
    wasmtime_wasi_http::Error,
>;
