//! 問い合わせの仕様です。固定のデータセットに対する結果をスナップショットで固定します。

mod common;

use common::{FROM, TO, fixture_store, ms};
use lab_3::StoreError;
use lab_3::query::percentile;

#[test]
fn latest_per_metric() {
    let (_temp, store) = fixture_store();
    insta::assert_json_snapshot!("latest", store.latest().unwrap());
}

#[test]
fn range_first_five_minutes() {
    let (_temp, store) = fixture_store();
    let rows = store
        .range("node_load1", ms(FROM), ms("2026-12-04T10:05:00+09:00"))
        .unwrap();
    insta::assert_json_snapshot!("range_5m", rows);
}

#[test]
fn range_end_is_exclusive() {
    let (_temp, store) = fixture_store();
    let rows = store
        .range("node_load1", ms(FROM), ms(FROM) + 60_000)
        .unwrap();
    assert_eq!(rows.len(), 1);
}

#[test]
fn buckets_five_minutes() {
    let (_temp, store) = fixture_store();
    let rows = store
        .buckets("http_request_duration_seconds", ms(FROM), ms(TO), 300_000)
        .unwrap();
    insta::assert_json_snapshot!("buckets_5m", rows);
}

#[test]
fn summary_request_duration() {
    let (_temp, store) = fixture_store();
    let summary = store
        .summary("http_request_duration_seconds", ms(FROM), ms(TO))
        .unwrap();
    insta::assert_json_snapshot!("summary", summary);
}

#[test]
fn summary_empty_window_is_none() {
    let (_temp, store) = fixture_store();
    let summary = store
        .summary("node_load1", ms(TO), ms(TO) + 60_000)
        .unwrap();
    assert_eq!(summary, None);
}

#[test]
fn unknown_metric_is_error() {
    let (_temp, store) = fixture_store();
    let error = store.range("no_such_metric", ms(FROM), ms(TO)).unwrap_err();
    assert!(matches!(error, StoreError::UnknownMetric { .. }), "{error}");
}

// 演習 1: パーセンタイル (最近傍順位法)

#[test]
fn exercise_1_percentile_of_one_to_hundred() {
    let values: Vec<f64> = (1..=100).map(f64::from).collect();
    assert_eq!(percentile(&values, 50.0), Some(50.0));
    assert_eq!(percentile(&values, 95.0), Some(95.0));
    assert_eq!(percentile(&values, 99.0), Some(99.0));
}

#[test]
fn exercise_1_percentile_rounds_rank_up() {
    // 5 個のうち p50 の順位は ceil(2.5) = 3 番目です。
    let values = [10.0, 20.0, 30.0, 40.0, 50.0];
    assert_eq!(percentile(&values, 50.0), Some(30.0));
    assert_eq!(percentile(&values, 95.0), Some(50.0));
}

#[test]
fn exercise_1_percentile_single_value() {
    assert_eq!(percentile(&[7.5], 1.0), Some(7.5));
    assert_eq!(percentile(&[7.5], 100.0), Some(7.5));
}

#[test]
fn exercise_1_percentile_empty_is_none() {
    assert_eq!(percentile(&[], 50.0), None);
}

#[test]
fn exercise_1_percentile_out_of_range_is_none() {
    let values = [1.0, 2.0];
    assert_eq!(percentile(&values, 0.0), None);
    assert_eq!(percentile(&values, 100.5), None);
    assert_eq!(percentile(&values, f64::NAN), None);
}

#[test]
fn exercise_1_summary_p99_is_outlier() {
    // データセットの http_request_duration_seconds には 0.25 と 0.9 の外れ値が 1 つずつあります。
    let (_temp, store) = fixture_store();
    let summary = store
        .summary("http_request_duration_seconds", ms(FROM), ms(TO))
        .unwrap()
        .unwrap();
    assert_eq!(summary.p50, 0.015);
    assert_eq!(summary.p95, 0.25);
    assert_eq!(summary.p99, 0.9);
}

#[test]
fn sqlite_percentile_is_off_in_bundled_build() {
    // bundled の既定のビルドには SQLITE_ENABLE_PERCENTILE が付いていないので、percentile() はありません。
    let (_temp, store) = fixture_store();
    let error = store
        .connection()
        .query_row("SELECT percentile(value, 95) FROM sample", [], |row| {
            row.get::<_, f64>(0)
        })
        .unwrap_err();
    insta::with_settings!({ omit_expression => true }, {
        insta::assert_snapshot!("sqlite_percentile_missing", error.to_string());
    });
}
