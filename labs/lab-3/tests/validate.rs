//! サンプルの検証の仕様です。メトリクス名の規則は演習 3 です。

use lab_3::validate::{MAX_NAME_BYTES, validate_metric_name, validate_timestamp, validate_value};
use lab_3::{Sample, SampleError, Store};

mod common;

#[test]
fn exercise_3_accepts_prometheus_names() {
    for name in [
        "node_load1",
        "http_request_duration_seconds",
        "job:rate5m",
        "_private",
        "A",
    ] {
        assert_eq!(validate_metric_name(name), Ok(()), "{name}");
    }
}

#[test]
fn exercise_3_rejects_empty_name() {
    assert_eq!(validate_metric_name(""), Err(SampleError::EmptyName));
}

#[test]
fn exercise_3_rejects_leading_digit() {
    let error = validate_metric_name("1m_load").unwrap_err();
    assert_eq!(
        error,
        SampleError::InvalidNameChar {
            name: "1m_load".into(),
            position: 1,
            found: '1'
        }
    );
}

#[test]
fn exercise_3_rejects_dot_and_hyphen() {
    let dot = validate_metric_name("cpu.load").unwrap_err();
    let hyphen = validate_metric_name("cpu-load").unwrap_err();
    assert_eq!(
        dot,
        SampleError::InvalidNameChar {
            name: "cpu.load".into(),
            position: 4,
            found: '.'
        }
    );
    assert_eq!(
        hyphen,
        SampleError::InvalidNameChar {
            name: "cpu-load".into(),
            position: 4,
            found: '-'
        }
    );
}

#[test]
fn exercise_3_rejects_non_ascii() {
    let error = validate_metric_name("負荷").unwrap_err();
    assert_eq!(
        error,
        SampleError::InvalidNameChar {
            name: "負荷".into(),
            position: 1,
            found: '負'
        }
    );
}

#[test]
fn exercise_3_rejects_reserved_prefix() {
    let error = validate_metric_name("__name__").unwrap_err();
    assert_eq!(
        error,
        SampleError::ReservedName {
            name: "__name__".into()
        }
    );
}

#[test]
fn exercise_3_length_limit() {
    let longest = "a".repeat(MAX_NAME_BYTES);
    let too_long = "a".repeat(MAX_NAME_BYTES + 1);
    assert_eq!(validate_metric_name(&longest), Ok(()));
    assert!(matches!(
        validate_metric_name(&too_long),
        Err(SampleError::NameTooLong { len: 129, .. })
    ));
}

#[test]
fn value_rejects_nan_and_infinity() {
    assert!(validate_value(f64::NAN).is_err());
    assert!(validate_value(f64::INFINITY).is_err());
    assert!(validate_value(f64::NEG_INFINITY).is_err());
    assert_eq!(validate_value(-0.5), Ok(()));
}

#[test]
fn timestamp_rejects_seconds_instead_of_millis() {
    // 2026 年の Unix 秒をミリ秒として渡すと 1970 年になり、範囲外です。
    assert!(validate_timestamp(1_796_000_000).is_err());
    assert_eq!(validate_timestamp(1_796_000_000_000), Ok(()));
}

#[test]
fn batch_with_bad_row_writes_nothing() {
    let temp = common::temp_store();
    let mut store = Store::open(&temp.path).unwrap();
    let t = common::ms(common::FROM);
    let batch = vec![
        Sample::new("node_load1", t, 0.5),
        Sample::new("node_load1", t + 1000, 0.6),
        Sample::new("node_load1", t + 2000, f64::NAN),
    ];
    let error = store.record_batch(&batch).unwrap_err();
    assert!(
        matches!(error, lab_3::StoreError::InvalidSample { index: 3, .. }),
        "{error}"
    );
    book_snapshot!("batch_error", error.to_string());
    assert_eq!(store.stats().unwrap().samples, 0);
}

#[test]
fn same_metric_and_time_keeps_last_value() {
    let temp = common::temp_store();
    let mut store = Store::open(&temp.path).unwrap();
    let t = common::ms(common::FROM);
    store.record(&Sample::new("node_load1", t, 0.5)).unwrap();
    store.record(&Sample::new("node_load1", t, 0.7)).unwrap();
    let rows = store.range("node_load1", t, t + 1).unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].value, 0.7);
}
