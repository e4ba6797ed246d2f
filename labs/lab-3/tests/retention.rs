//! 保持期間の仕様です。

mod common;

use common::ms;
use lab_3::retention::DELETE_BATCH_ROWS;
use lab_3::rollup::{Width, rollup};
use lab_3::{Sample, Store};

/// 1 秒おきに `rows` 行を書いたストアを返します。
fn store_with_rows(rows: i64) -> (common::TempStore, Store) {
    let temp = common::temp_store();
    let mut store = Store::open(&temp.path).unwrap();
    let base = ms(common::FROM);
    let batch: Vec<Sample> = (0..rows)
        .map(|i| Sample::new("node_load1", base + i * 1000, i as f64))
        .collect();
    store.record_batch(&batch).unwrap();
    (temp, store)
}

#[test]
fn prune_deletes_only_older_rows() {
    let (_temp, mut store) = store_with_rows(100);
    let cutoff = ms(common::FROM) + 40_000;
    assert_eq!(store.prune_older_than(cutoff).unwrap(), 40);
    assert_eq!(store.stats().unwrap().samples, 60);
}

#[test]
fn prune_spans_several_batches() {
    let rows = DELETE_BATCH_ROWS * 2 + 500;
    let (_temp, mut store) = store_with_rows(rows);
    let deleted = store.prune_older_than(i64::MAX).unwrap();
    assert_eq!(deleted, rows as u64);
    assert_eq!(store.stats().unwrap().samples, 0);
}

#[test]
fn prune_keeps_rollups() {
    let (_temp, mut store) = store_with_rows(120);
    rollup(&mut store, Width::Minute, 0, i64::MAX / 2).unwrap();
    store.prune_older_than(i64::MAX).unwrap();
    assert_eq!(store.stats().unwrap().rollups, 2);
}
