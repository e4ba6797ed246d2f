//! テストで共有するエンジンとホストです。コンパイルは1プロセスで1回だけにします。

#![allow(dead_code)]

use std::path::Path;
use std::sync::{Arc, OnceLock};

use lab_2::client::Reply;
use lab_2::config::{EngineKind, EngineOptions, Limits};
use lab_2::engine::{EpochTicker, build_engine};
use lab_2::server::Host;
use wasmtime::Engine;

/// エンジンとエポックのスレッドです。プロセスが終わるまで生かしておきます。
pub struct Shared {
    pub engine: Engine,
    _ticker: EpochTicker,
}

pub fn shared() -> &'static Shared {
    static SHARED: OnceLock<Shared> = OnceLock::new();
    SHARED.get_or_init(|| {
        let options = EngineOptions::new(EngineKind::Cranelift, Limits::default());
        let engine = build_engine(&options).expect("エンジンを作れません");
        let ticker = EpochTicker::start(&engine);
        Shared {
            engine,
            _ticker: ticker,
        }
    })
}

pub fn load(path: &Path) -> Arc<Host> {
    Arc::new(Host::load(&shared().engine, path, Limits::default()).expect("ゲストを読み込めません"))
}

pub fn health_host() -> Arc<Host> {
    static HOST: OnceLock<Arc<Host>> = OnceLock::new();
    HOST.get_or_init(|| load(lab_2::guests::health())).clone()
}

pub fn hostile_host() -> Arc<Host> {
    static HOST: OnceLock<Arc<Host>> = OnceLock::new();
    HOST.get_or_init(|| load(lab_2::guests::hostile())).clone()
}

/// 応答をスナップショット用の文字列にします。日付のヘッダーは毎回変わるので省きます。
pub fn render(reply: &Reply) -> String {
    let mut text = format!("HTTP {}\n", reply.status);
    for (name, value) in &reply.headers {
        if name != "date" {
            text.push_str(&format!("{name}: {value}\n"));
        }
    }
    text.push('\n');
    text.push_str(&String::from_utf8_lossy(&reply.body));
    text
}
