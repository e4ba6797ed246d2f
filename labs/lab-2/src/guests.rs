//! build.rsがwasm32-wasip2向けにビルドしたゲストのパスです。

use std::path::Path;

/// `GET /health`に答えるゲストです。
pub fn health() -> &'static Path {
    Path::new(env!("HEALTH_WASM"))
}

/// サンドボックスを試す敵対的なゲストです。
pub fn hostile() -> &'static Path {
    Path::new(env!("HOSTILE_WASM"))
}
