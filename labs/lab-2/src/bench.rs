//! ベンチマーク: 起動（コンパイル、AOTの読み込み、インスタンス化）、スループット、サイズ。
//! 計測であってテストではありません。`lab-2 bench`と`labs/lab-2/measure.sh`から走らせます。

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use wasmtime::Engine;
use wasmtime::component::{Component, Linker};

use crate::config::{EngineKind, EngineOptions, Limits};
use crate::engine::{EpochTicker, build_engine};
use crate::host::{HostState, new_store};
use crate::loadgen::{LoadResult, load};
use crate::server::{Host, RunningServer};

/// ベンチマークの設定です。
pub struct BenchOptions {
    pub iterations: usize,
    pub connections: usize,
    pub duration: Duration,
    /// `wasmtime serve`の実行ファイルです（無ければその行は省きます）。
    pub wasmtime_cli: Option<PathBuf>,
    /// 同じ応答を返す静的リンクのネイティブバイナリです（サイズの比較用）。
    pub native_bin: Option<PathBuf>,
}

fn err(e: wasmtime::Error) -> anyhow::Error {
    anyhow::anyhow!("{e:#}")
}

/// 中央値と99パーセンタイルです。
fn percentiles(mut samples: Vec<Duration>) -> (Duration, Duration) {
    samples.sort();
    let pick = |q: f64| samples[((samples.len() as f64 - 1.0) * q) as usize];
    (pick(0.5), pick(0.99))
}

fn micros(d: Duration) -> String {
    format!("{:.1} µs", d.as_secs_f64() * 1e6)
}

fn millis(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1e3)
}

// ANCHOR: instantiate
/// プーリング + 事前インスタンス化で、Storeを作ってインスタンス化するまでの時間を測ります。
async fn instantiate_pooled(
    engine: &Engine,
    path: &Path,
    n: usize,
) -> anyhow::Result<Vec<Duration>> {
    let host = Host::load(engine, path, Limits::default())?;
    let mut samples = Vec::with_capacity(n);
    for _ in 0..n {
        let started = Instant::now();
        let mut store = new_store(engine, &Limits::default());
        host.pre()
            .instantiate_async(&mut store)
            .await
            .map_err(err)?;
        samples.push(started.elapsed());
    }
    Ok(samples)
}

/// 比較: オンデマンドの割り当てで、毎回リンカーからインスタンス化します（型の検査も毎回）。
async fn instantiate_plain(
    engine: &Engine,
    component: &Component,
    n: usize,
) -> anyhow::Result<Vec<Duration>> {
    let mut linker: Linker<HostState> = Linker::new(engine);
    wasmtime_wasi::p2::add_to_linker_async(&mut linker).map_err(err)?;
    wasmtime_wasi_http::p2::add_only_http_to_linker_async(&mut linker).map_err(err)?;
    let mut samples = Vec::with_capacity(n);
    for _ in 0..n {
        let started = Instant::now();
        let mut store = new_store(engine, &Limits::default());
        linker
            .instantiate_async(&mut store, component)
            .await
            .map_err(err)?;
        samples.push(started.elapsed());
    }
    Ok(samples)
}
// ANCHOR_END: instantiate

/// 起動の表です。
pub async fn startup(path: &Path, options: &BenchOptions) -> anyhow::Result<String> {
    let bytes = std::fs::read(path)?;
    let mut rows = Vec::new();
    for kind in [EngineKind::Cranelift, EngineKind::Pulley] {
        let pooled = build_engine(&EngineOptions::new(kind, Limits::default())).map_err(err)?;
        let plain = build_engine(&EngineOptions {
            pooling: false,
            ..EngineOptions::new(kind, Limits::default())
        })
        .map_err(err)?;

        // コンパイル（.wasmから）と、AOT成果物の読み込みです。
        let started = Instant::now();
        let component = Component::new(&plain, &bytes).map_err(err)?;
        let compile = started.elapsed();
        let dir = tempfile::tempdir()?;
        let cwasm = dir.path().join("health.cwasm");
        std::fs::write(&cwasm, pooled.precompile_component(&bytes).map_err(err)?)?;
        let started = Instant::now();
        // SAFETY: 直前にこのプロセスが同じ設定で書いたファイルです。
        unsafe { Component::deserialize_file(&pooled, &cwasm) }.map_err(err)?;
        let aot_load = started.elapsed();

        let (pooled_p50, pooled_p99) =
            percentiles(instantiate_pooled(&pooled, path, options.iterations).await?);
        let (plain_p50, plain_p99) =
            percentiles(instantiate_plain(&plain, &component, options.iterations).await?);
        rows.push(format!(
            "| {kind} | {} | {} | {} / {} | {} / {} |",
            millis(compile),
            millis(aot_load),
            micros(pooled_p50),
            micros(pooled_p99),
            micros(plain_p50),
            micros(plain_p99)
        ));
    }
    let mut text = String::from(
        "| エンジン | コンパイル（.wasmから） | AOT成果物の読み込み | インスタンス化p50 / p99（プーリング + 事前インスタンス化） | インスタンス化p50 / p99（オンデマンド、毎回リンク） |\n",
    );
    text.push_str("|---|---|---|---|---|\n");
    text.push_str(&rows.join("\n"));
    text.push('\n');
    Ok(text)
}

/// 1つのサーバーに負荷をかけます。サーバーは別のランタイムで動いています。
fn measure(addr: std::net::SocketAddr, options: &BenchOptions) -> anyhow::Result<LoadResult> {
    let client = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    Ok(client.block_on(load(addr, options.connections, options.duration)))
}

// ANCHOR: throughput
/// スループットの表です。同じ回の中で、ネイティブ、このホスト（Cranelift / Pulley）、`wasmtime serve`を並べます。
pub fn throughput(path: &Path, options: &BenchOptions) -> anyhow::Result<String> {
    let runtime = tokio::runtime::Runtime::new()?;
    let mut results: Vec<(String, LoadResult)> = Vec::new();

    // ネイティブのhyperハンドラーです。比の基準になります。
    let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))?;
    let addr = listener.local_addr()?;
    let native = runtime.spawn(crate::native::serve_native(listener));
    results.push(("ネイティブ（hyper）".into(), measure(addr, options)?));
    native.abort();

    // このホストを、エンジンを変えて2回です。
    for kind in [EngineKind::Cranelift, EngineKind::Pulley] {
        let engine = build_engine(&EngineOptions::new(kind, Limits::default())).map_err(err)?;
        let _ticker = EpochTicker::start(&engine);
        let host = Arc::new(Host::load(&engine, path, Limits::default())?);
        let server = runtime.block_on(RunningServer::start(host))?;
        results.push((format!("lab-2（{kind}）"), measure(server.addr, options)?));
        runtime.block_on(server.stop())?;
    }

    if let Some(cli) = &options.wasmtime_cli {
        let result = crate::wasmtime_serve::measure(cli, path, |addr| measure(addr, options))?;
        results.push(("wasmtime serve".into(), result));
    }
    Ok(render_throughput(&results, options))
}
// ANCHOR_END: throughput

fn render_throughput(results: &[(String, LoadResult)], options: &BenchOptions) -> String {
    let base = results[0].1.rps();
    let mut text = format!(
        "負荷: keep-aliveのHTTP/1.1接続{}本、各{}秒、GET /health。\n\n| サーバー | リクエスト/秒 | ネイティブ比 | 失敗 | レイテンシp50 / p99 |\n|---|---|---|---|---|\n",
        options.connections,
        options.duration.as_secs()
    );
    for (name, r) in results {
        text.push_str(&format!(
            "| {name} | {:.0} | {:.2}× | {} | {} / {} |\n",
            r.rps(),
            r.rps() / base,
            r.failed,
            micros(r.p50),
            micros(r.p99)
        ));
    }
    text
}

/// サイズの表です。
pub fn sizes(path: &Path, options: &BenchOptions) -> anyhow::Result<String> {
    let bytes = std::fs::read(path)?;
    let size = |n: usize| crate::aot::format_size(n as u64);
    let mut text = String::from("| もの | サイズ |\n|---|---|\n");
    text.push_str(&format!(
        "| コンポーネント（health.wasm） | {} |\n",
        size(bytes.len())
    ));
    for kind in [EngineKind::Cranelift, EngineKind::Pulley] {
        let engine = build_engine(&EngineOptions::new(kind, Limits::default())).map_err(err)?;
        let artifact = engine.precompile_component(&bytes).map_err(err)?;
        text.push_str(&format!(
            "| AOT成果物（{kind}） | {} |\n",
            size(artifact.len())
        ));
    }
    if let Some(native) = &options.native_bin {
        let n = std::fs::metadata(native)?.len() as usize;
        text.push_str(&format!(
            "| 同じ応答の静的ネイティブバイナリ（musl、hyper + tokio） | {} |\n",
            size(n)
        ));
    }
    if let Ok(exe) = std::env::current_exe() {
        let n = std::fs::metadata(exe)?.len() as usize;
        text.push_str(&format!(
            "| ホスト（lab-2の実行ファイル、wasmtime込み） | {} |\n",
            size(n)
        ));
    }
    Ok(text)
}
