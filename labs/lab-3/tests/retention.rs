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
    // 2 時間分のサンプルのうち、境界を切り下げた 1 時間目 (3600 行) だけを消します。
    let (_temp, mut store) = store_with_rows(7200);
    let cutoff = ms(common::FROM) + 3_600_000 + 40_000;
    assert_eq!(store.prune_older_than(cutoff).unwrap().deleted, 3600);
    assert_eq!(store.stats().unwrap().samples, 3600);
}

#[test]
fn prune_aligns_cutoff_to_hour() {
    let (_temp, mut store) = store_with_rows(100);
    let pruned = store.prune_older_than(ms(common::FROM) + 40_000).unwrap();
    assert_eq!(pruned.final_before_ms, ms(common::FROM));
}

#[test]
fn prune_spans_several_batches() {
    let rows = DELETE_BATCH_ROWS * 2 + 500;
    let (_temp, mut store) = store_with_rows(rows);
    let deleted = store
        .prune_older_than(ms("2026-12-05T00:00:00+09:00"))
        .unwrap();
    assert_eq!(deleted.deleted, rows as u64);
    assert_eq!(store.stats().unwrap().samples, 0);
}

#[test]
fn prune_keeps_rollups() {
    let (_temp, mut store) = store_with_rows(120);
    rollup(&mut store, Width::Minute, 0, i64::MAX / 2).unwrap();
    store.prune_older_than(i64::MAX).unwrap();
    assert_eq!(store.stats().unwrap().rollups, 3, "1 分 × 2 と 1 時間 × 1");
}

#[test]
fn prune_rolls_up_before_deleting() {
    // rollup を一度も流していなくても、消した期間はロールアップから読めます。
    let (_temp, mut store) = store_with_rows(120);
    store.prune_older_than(ms(common::TO) + 3_600_000).unwrap();
    let hour = store
        .rolled_up("node_load1", Width::Hour, 0, i64::MAX)
        .unwrap();
    assert_eq!(hour[0].count, 120);
}

#[test]
fn rollup_after_prune_keeps_totals() {
    // prune の後に同じ範囲を集計し直しても、消したサンプルの分が減りません。
    let (_temp, mut store) = store_with_rows(7200);
    rollup(&mut store, Width::Hour, 0, i64::MAX / 2).unwrap();
    let before = store
        .rolled_up("node_load1", Width::Hour, 0, i64::MAX)
        .unwrap();
    store
        .prune_older_than(ms(common::FROM) + 3_600_000 + 1)
        .unwrap();
    rollup(&mut store, Width::Hour, 0, i64::MAX / 2).unwrap();
    rollup(&mut store, Width::Minute, 0, i64::MAX / 2).unwrap();
    let after = store
        .rolled_up("node_load1", Width::Hour, 0, i64::MAX)
        .unwrap();
    assert_eq!(after, before);
}

#[test]
fn rollup_after_prune_keeps_minutes() {
    let (_temp, mut store) = store_with_rows(7200);
    store
        .prune_older_than(ms(common::FROM) + 3_600_000)
        .unwrap();
    rollup(&mut store, Width::Minute, 0, i64::MAX / 2).unwrap();
    let minutes = store
        .rolled_up("node_load1", Width::Minute, 0, i64::MAX)
        .unwrap();
    assert!(minutes.iter().all(|b| b.count == 60), "{minutes:?}");
}

#[test]
fn watermark_survives_reopen() {
    let (temp, mut store) = store_with_rows(10);
    store.prune_older_than(ms(common::TO)).unwrap();
    drop(store);
    let store = Store::open(&temp.path).unwrap();
    assert_eq!(store.final_before_ms().unwrap(), Some(ms(common::FROM)));
}
