//! すべてのエラーメッセージをスナップショットで固定します。本の「エラーメッセージ一覧」もここから取り込みます。

use std::path::PathBuf;

use lab_3::import::{ImportError, LineError};
use lab_3::time::ParseTimeError;
use lab_3::{SampleError, StoreError};

fn io(kind: std::io::ErrorKind, text: &str) -> std::io::Error {
    std::io::Error::new(kind, text)
}

#[test]
fn every_error_message() {
    let path = PathBuf::from("metrics.db");
    let sample_errors = [
        SampleError::EmptyName,
        SampleError::NameTooLong {
            name: "a".repeat(129),
            len: 129,
            max: 128,
        },
        SampleError::InvalidNameChar {
            name: "cpu.load".into(),
            position: 4,
            found: '.',
        },
        SampleError::ReservedName {
            name: "__name__".into(),
        },
        SampleError::NonFinite { value: f64::NAN },
        SampleError::TimestampOutOfRange {
            timestamp_ms: 1_796_000_000,
        },
    ];
    let store_errors = [
        StoreError::NotADatabase { path: path.clone() },
        StoreError::Missing { path: path.clone() },
        StoreError::EmptyFile { path: path.clone() },
        StoreError::Truncated {
            path: path.clone(),
            expected: 20480,
            actual: 8192,
        },
        StoreError::ForeignDatabase {
            path: path.clone(),
            application_id: 0x1234_5678,
        },
        StoreError::SchemaTooNew {
            path: path.clone(),
            found: 9,
            supported: 2,
        },
        StoreError::ReadOnly {
            path: path.clone(),
            cause: io(
                std::io::ErrorKind::ReadOnlyFilesystem,
                "Read-only file system (os error 30)",
            ),
        },
        StoreError::MissingDirectory {
            dir: PathBuf::from("data"),
        },
        StoreError::Io {
            path: path.clone(),
            cause: io(
                std::io::ErrorKind::PermissionDenied,
                "Permission denied (os error 13)",
            ),
        },
        StoreError::InvalidSample {
            index: 3,
            metric: "node_load1".into(),
            reason: SampleError::NonFinite {
                value: f64::INFINITY,
            },
        },
        StoreError::RejectedSample {
            metric: "node_load1".into(),
            reason: SampleError::NonFinite { value: f64::NAN },
        },
        StoreError::BackupExists {
            path: PathBuf::from("backup.db"),
        },
        StoreError::UnknownMetric {
            name: "node_load2".into(),
        },
        StoreError::Sqlite {
            operation: "バッチのコミット",
            cause: rusqlite::Error::SqliteFailure(
                rusqlite::ffi::Error::new(5),
                Some("database is locked".into()),
            ),
        },
    ];
    let import_errors = [
        ImportError::ShiftJis {
            shown: lab_3::import::shown_name("売上.csv"),
        },
        ImportError::NotUtf8 {
            shown: lab_3::import::shown_name(lab_3::import::STDIN_NAME),
            line: 4,
        },
        ImportError::BadLines {
            name: "metrics.csv".into(),
            errors: vec![LineError {
                line: 3,
                message: "値 `abc` を数として読めません。`0.5` のような数にしてください。".into(),
            }],
            total: 12,
        },
    ];
    let time_errors = [
        ParseTimeError::Timestamp("昨日".into()),
        ParseTimeError::Duration("1y".into()),
        ParseTimeError::DurationTooLong("100000w".into()),
    ];

    let mut text = String::new();
    let lines = sample_errors
        .iter()
        .map(ToString::to_string)
        .chain(store_errors.iter().map(ToString::to_string))
        .chain(import_errors.iter().map(ToString::to_string))
        .chain(time_errors.iter().map(ToString::to_string));
    for line in lines {
        text.push_str("エラー: ");
        text.push_str(&line);
        text.push_str("\n\n");
    }
    insta::with_settings!({ omit_expression => true }, {
        insta::assert_snapshot!("every_error_message", text);
    });
}
