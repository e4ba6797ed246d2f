//! テストで共有する準備: hello-svcのビルドと、ラボマシンの見張り。
#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::{MutexGuard, OnceLock};

use lab_1::machine::{self, Running};

/// muslでビルドしたhello-svc (テストの実行ごとに1回だけビルドします)。
pub fn hello_svc() -> PathBuf {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY
        .get_or_init(|| {
            lab_1::upgrade::hello_image::build_hello_svc().unwrap_or_else(|error| panic!("{error}"))
        })
        .clone()
}

/// 起動中のラボマシンを返します（[`machine::test_machine`]）。
pub fn lab_machine() -> (Running, (MutexGuard<'static, ()>, std::fs::File)) {
    machine::test_machine("cargo test -p lab-1")
}
