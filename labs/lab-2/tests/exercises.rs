//! 演習のテストです。`scripts/exercise.sh start 2 K`のあとは、K番のテストが失敗します。

mod common;

use lab_2::client::send;
use lab_2::errors::{LoadError, check_component};
use lab_2::server::RunningServer;

async fn status_of(path: &str) -> u16 {
    let server = RunningServer::start(common::hostile_host()).await.unwrap();
    let status = send(server.addr, "GET", path).await.unwrap().status;
    server.stop().await.unwrap();
    status
}

#[tokio::test]
async fn exercise_1_loop_is_503() {
    assert_eq!(status_of("/loop").await, 503);
}

#[test]
fn exercise_1_memory_mechanism() {
    let err = wasmtime::Error::new(lab_2::limits::MemoryLimitExceeded { desired: 2, max: 1 });
    assert_eq!(lab_2::limits::classify(&err), lab_2::limits::Stop::Memory);
}

#[test]
fn exercise_1_stack_mechanism() {
    let err = wasmtime::Error::new(wasmtime::Trap::StackOverflow);
    assert_eq!(
        lab_2::limits::classify(&err),
        lab_2::limits::Stop::StackOverflow
    );
}

#[test]
fn exercise_2_core_module() {
    let result = check_component("core.wasm".as_ref(), b"\0asm\x01\0\0\0");
    assert!(
        matches!(result, Err(LoadError::CoreModule { .. })),
        "{result:?}"
    );
}

#[test]
fn exercise_2_not_wasm() {
    let result = check_component("run.sh".as_ref(), b"#!/bin/sh\n");
    assert!(
        matches!(result, Err(LoadError::NotWasm { .. })),
        "{result:?}"
    );
}

#[test]
fn exercise_2_component() {
    let result = check_component("health.wasm".as_ref(), b"\0asm\x0d\0\x01\0");
    assert!(result.is_ok(), "{result:?}");
}
