//! ロールアップの仕様です (演習 2)。

mod common;

use common::{FROM, TO, fixture_store, ms};
use lab_3::Sample;
use lab_3::rollup::{Width, rollup};

/// `rollup` 表の行を (start_ms, count, min, max, sum) の組で返します。
fn rollup_rows(store: &lab_3::Store, metric: &str, width_s: i64) -> Vec<(i64, i64, f64, f64, f64)> {
    let mut stmt = store
        .connection()
        .prepare(
            "SELECT r.start_ms, r.count, r.min, r.max, r.sum FROM rollup AS r
             JOIN metric AS m ON m.id = r.metric_id
             WHERE m.name = ?1 AND r.width_s = ?2 ORDER BY r.start_ms",
        )
        .unwrap();
    stmt.query_map(rusqlite::params![metric, width_s], |row| {
        Ok((
            row.get(0)?,
            row.get(1)?,
            row.get(2)?,
            row.get(3)?,
            row.get(4)?,
        ))
    })
    .unwrap()
    .collect::<Result<_, _>>()
    .unwrap()
}

#[test]
fn exercise_2_rollup_minute_buckets() {
    let (_temp, mut store) = fixture_store();
    let written = rollup(&mut store, Width::Minute, ms(FROM), ms(TO)).unwrap();
    assert_eq!(written, 60, "3 メトリクス × 20 分");
    assert_eq!(rollup_rows(&store, "node_load1", 60).len(), 20);
}

#[test]
fn exercise_2_rollup_hour_bucket_values() {
    let (_temp, mut store) = fixture_store();
    rollup(&mut store, Width::Hour, ms(FROM), ms(TO)).unwrap();
    let rows = rollup_rows(&store, "http_request_duration_seconds", 3600);
    insta::assert_debug_snapshot!("hour_bucket", rows);
}

#[test]
fn exercise_2_rollup_is_idempotent() {
    let (_temp, mut store) = fixture_store();
    rollup(&mut store, Width::Hour, ms(FROM), ms(TO)).unwrap();
    let first = rollup_rows(&store, "node_load1", 3600);
    rollup(&mut store, Width::Hour, ms(FROM), ms(TO)).unwrap();
    assert_eq!(rollup_rows(&store, "node_load1", 3600), first);
}

#[test]
fn exercise_2_rollup_upsert_includes_late_sample() {
    // 集計の後に届いたサンプルは、もう一度集計すると同じバケットに反映されます。
    let (_temp, mut store) = fixture_store();
    rollup(&mut store, Width::Hour, ms(FROM), ms(TO)).unwrap();
    store
        .record(&Sample::new(
            "node_load1",
            ms("2026-12-04T10:30:00+09:00"),
            9.0,
        ))
        .unwrap();
    rollup(&mut store, Width::Hour, ms(FROM), ms(TO)).unwrap();
    let rows = rollup_rows(&store, "node_load1", 3600);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].1, 21, "count");
    assert_eq!(rows[0].3, 9.0, "max");
}

#[test]
fn rollup_end_on_boundary_is_exclusive() {
    // 終わりがバケットの境界ちょうどなら、次のバケットは含めません。
    let (_temp, mut store) = fixture_store();
    let written = rollup(&mut store, Width::Minute, ms(FROM), ms(FROM) + 5 * 60_000).unwrap();
    assert_eq!(written, 15, "3 メトリクス × 5 分");
}
