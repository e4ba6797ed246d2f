//! lab-2: wasmtimeをRustに組み込み、wasi:httpコンポーネントの`/health`を配信します。

pub mod aot;
pub mod bench;
pub mod cli;
pub mod client;
pub mod config;
pub mod engine;
pub mod errors;
pub mod guests;
pub mod host;
pub mod limits;
pub mod loadgen;
pub mod machine;
pub mod native;
pub mod sandbox;
pub mod server;
pub mod wasmtime_serve;
