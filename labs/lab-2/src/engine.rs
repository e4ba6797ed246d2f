//! wasmtimeの`Engine`を作ります: プーリングアロケーター、エポック割り込み、
//! メモリの上限、CraneliftかPulleyか。

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;

use wasmtime::{Config, Engine, InstanceAllocationStrategy, PoolingAllocationConfig};

use crate::config::{EPOCH_TICK, EngineKind, EngineOptions};

// ANCHOR: engine
/// 設定どおりの`Engine`を作ります。1プロセスに1つ作り、全リクエストで共有します。
pub fn build_engine(options: &EngineOptions) -> wasmtime::Result<Engine> {
    let mut config = Config::new();

    // WASMの実行時間はエポック割り込みで区切ります。燃料（fuel）より実行時のコストが小さい方式です。
    config.epoch_interruption(true);

    // ゲストのスタックの上限です。深い再帰はここでトラップになります。
    config.max_wasm_stack(512 << 10);

    // Pulleyはインタープリターなので、実行可能メモリを一切使いません。
    if options.kind == EngineKind::Pulley {
        config.target(pulley_target())?;
    }

    // プーリングアロケーターは、インスタンス用のメモリを起動時にまとめて予約しておきます。
    if options.pooling {
        config.allocation_strategy(pooling(options));
    }
    Engine::new(&config)
}
// ANCHOR_END: engine

// ANCHOR: pooling
/// プーリングアロケーターの枠です。メモリの上限もここで決まります。
fn pooling(options: &EngineOptions) -> InstanceAllocationStrategy {
    let limits = options.limits;
    let mut pool = PoolingAllocationConfig::default();
    pool.total_component_instances(limits.max_instances);
    // Rustのコンポーネントは、内部に複数のコアインスタンスとテーブルを持ちます。
    pool.total_core_instances(limits.max_instances * 8);
    pool.total_memories(limits.max_instances * 2);
    pool.total_tables(limits.max_instances * 8);
    pool.max_memory_size(limits.memory_bytes);

    // 使い終わったメモリの先頭は、OSに返さずゼロで埋めて使い回します。
    // 次のインスタンスがページフォールトを起こさずに済むぶん、インスタンス化が速くなります。
    pool.linear_memory_keep_resident(2 << 20);
    pool.table_keep_resident(64 << 10);
    InstanceAllocationStrategy::Pooling(pool)
}
// ANCHOR_END: pooling

/// このマシンのポインター幅に合うPulleyのターゲット名です。
fn pulley_target() -> &'static str {
    if cfg!(target_pointer_width = "64") {
        "pulley64"
    } else {
        "pulley32"
    }
}

// ANCHOR: ticker
/// 一定間隔でエポックを1つ進めるスレッドです。dropすると止まります。
pub struct EpochTicker {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl EpochTicker {
    pub fn start(engine: &Engine) -> EpochTicker {
        let stop = Arc::new(AtomicBool::new(false));
        let engine = engine.clone();
        let flag = stop.clone();
        let thread = std::thread::spawn(move || {
            while !flag.load(Ordering::Relaxed) {
                std::thread::sleep(EPOCH_TICK);
                engine.increment_epoch();
            }
        });
        EpochTicker {
            stop,
            thread: Some(thread),
        }
    }
}
// ANCHOR_END: ticker

impl Drop for EpochTicker {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
