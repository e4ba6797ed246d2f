//! 1リクエスト分のホストの状態 (`Store` のデータ) です。
//! ゲストに渡す能力 (capability) はここで決まります: 何も渡さないのが既定です。

use wasmtime::component::ResourceTable;
use wasmtime::{Engine, Store};
use wasmtime_wasi::{WasiCtx, WasiCtxBuilder, WasiCtxView, WasiView};
use wasmtime_wasi_http::{WasiHttpCtx, WasiHttpCtxView, WasiHttpHooks, WasiHttpView};

use crate::config::{EPOCH_TICK, Limits};
use crate::limits::MemoryLimiter;

/// `Store<HostState>` の中身です。リクエストごとに新しく作り、終われば捨てます。
pub struct HostState {
    wasi: WasiCtx,
    http: WasiHttpCtx,
    table: ResourceTable,
    limiter: MemoryLimiter,
    hooks: DenyOutbound,
}

// ANCHOR: new_store
/// 制限をかけた新しい `Store` を作ります。
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

    // 締め切りをエポックの数で決め、過ぎたらトラップにします。
    store.set_epoch_deadline(deadline_ticks(limits));
    store.epoch_deadline_trap();
    store
}
// ANCHOR_END: new_store

/// 時間制限をエポックの刻みの数にします (最低1)。
fn deadline_ticks(limits: &Limits) -> u64 {
    let ticks = limits.timeout.as_millis() / EPOCH_TICK.as_millis();
    u64::try_from(ticks).unwrap_or(u64::MAX).max(1)
}

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
/// 外向きのHTTPを一切許さないフックです。ゲストには `HTTP-request-denied` が返ります。
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

/// `send_request` が返す値の型です。
type OutgoingResult = Result<
    (
        http::Response<wasmtime_wasi_http::WasiBody>,
        Box<dyn Future<Output = Result<(), wasmtime_wasi_http::Error>> + Send>,
    ),
    wasmtime_wasi_http::Error,
>;
