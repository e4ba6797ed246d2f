//! 読み手と書き手が同時に動く仕様です。読み手に SQLITE_BUSY が見えないことを確かめます。

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use lab_3::{Sample, Store};

const WRITE_BATCHES: i64 = 1000;
const BATCH: i64 = 200;

#[test]
fn reader_never_sees_busy_while_writing() {
    let temp = common::temp_store();
    Store::open(&temp.path).unwrap();
    let done = Arc::new(AtomicBool::new(false));
    let base = common::ms(common::FROM);

    // 書き手: 200 行のバッチを 1000 回書きます。WAL が大きくなり、自動チェックポイントも走ります。
    let writer = {
        let path = temp.path.clone();
        let done = Arc::clone(&done);
        std::thread::spawn(move || {
            let mut store = Store::open(&path).unwrap();
            for b in 0..WRITE_BATCHES {
                let batch: Vec<Sample> = (0..BATCH)
                    .map(|i| {
                        Sample::new(
                            format!("concurrent_{}", i % 4),
                            base + (b * BATCH + i) * 10,
                            i as f64,
                        )
                    })
                    .collect();
                store.record_batch(&batch).unwrap();
            }
            done.store(true, Ordering::SeqCst);
        })
    };

    // 読み手 2 つ: 書き手が終わるまで (最大 60 秒)、開く・最新値・要約を繰り返します。
    let readers: Vec<_> = (0..2)
        .map(|_| {
            let path = temp.path.clone();
            let done = Arc::clone(&done);
            std::thread::spawn(move || {
                let started = Instant::now();
                let mut errors = Vec::new();
                let mut queries = 0;
                while !done.load(Ordering::SeqCst) && started.elapsed() < Duration::from_secs(60) {
                    let result = Store::open(&path).and_then(|store| {
                        store.latest()?;
                        match store.summary("concurrent_0", 0, i64::MAX) {
                            Err(lab_3::StoreError::UnknownMetric { .. }) => Ok(()),
                            other => other.map(|_| ()),
                        }
                    });
                    if let Err(error) = result {
                        errors.push(error.to_string());
                    }
                    queries += 1;
                }
                (queries, errors)
            })
        })
        .collect();

    writer.join().unwrap();
    for reader in readers {
        let (queries, errors) = reader.join().unwrap();
        eprintln!("読み手: {queries} 回問い合わせました");
        assert!(queries > 0, "読み手が 1 回も問い合わせていません");
        assert_eq!(errors, Vec::<String>::new());
    }
}

#[test]
fn reader_never_sees_busy_while_other_process_writes() {
    // 書き手は別プロセスの `lab-3 import` です。ロックはプロセスの間でも同じように働きます。
    let temp = common::temp_store();
    Store::open(&temp.path).unwrap();
    let base = common::ms(common::FROM);
    let mut input = String::new();
    for i in 0..60_000i64 {
        input.push_str(&format!("process_writer,{},{i}\n", base + i));
    }

    let child = std::process::Command::new(env!("CARGO_BIN_EXE_lab-3"))
        .args([
            "--db",
            temp.path.to_str().unwrap(),
            "import",
            "-",
            "--format",
            "csv",
            "--batch-size",
            "200",
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut child = common::KillOnDrop(child);
    {
        use std::io::Write;
        child
            .0
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
    }

    // 書き手が終わるまで (最大 60 秒)、開く・最新値を繰り返します。
    let started = Instant::now();
    let mut errors = Vec::new();
    let mut queries = 0;
    while child.0.try_wait().unwrap().is_none() && started.elapsed() < Duration::from_secs(60) {
        if let Err(error) = Store::open(&temp.path).and_then(|store| store.latest()) {
            errors.push(error.to_string());
        }
        queries += 1;
    }
    let status = child.0.wait().unwrap();

    assert!(status.success(), "書き手が失敗しました: {status}");
    assert!(queries > 0, "読み手が 1 回も問い合わせていません");
    assert_eq!(errors, Vec::<String>::new());
}

#[test]
fn two_writers_both_commit() {
    // 書き手が 2 つでも、IMMEDIATE と busy_timeout で順番に書けます。
    let temp = common::temp_store();
    Store::open(&temp.path).unwrap();
    let base = common::ms(common::FROM);
    let writers: Vec<_> = (0..2i64)
        .map(|w| {
            let path = temp.path.clone();
            std::thread::spawn(move || {
                let mut store = Store::open(&path).unwrap();
                for b in 0..50i64 {
                    let batch: Vec<Sample> = (0..100i64)
                        .map(|i| Sample::new(format!("writer_{w}"), base + (b * 100 + i) * 10, 1.0))
                        .collect();
                    store.record_batch(&batch).unwrap();
                }
            })
        })
        .collect();
    for writer in writers {
        writer.join().unwrap();
    }
    assert_eq!(
        Store::open(&temp.path).unwrap().stats().unwrap().samples,
        10_000
    );
}

#[test]
fn backup_while_writing_is_consistent() {
    let temp = common::temp_store();
    let base = common::ms(common::FROM);
    let mut store = Store::open(&temp.path).unwrap();
    let batch: Vec<Sample> = (0..5000i64)
        .map(|i| Sample::new("node_load1", base + i, 1.0))
        .collect();
    store.record_batch(&batch).unwrap();

    let writer = {
        let path = temp.path.clone();
        std::thread::spawn(move || {
            let mut store = Store::open(&path).unwrap();
            for b in 1..50i64 {
                let batch: Vec<Sample> = (0..100i64)
                    .map(|i| Sample::new("node_load1", base + b * 10_000 + i, 2.0))
                    .collect();
                store.record_batch(&batch).unwrap();
            }
        })
    };
    let dest = temp.dir.path().join("backup.db");
    store.backup_to(&dest).unwrap();
    writer.join().unwrap();

    let backup = Store::open(&dest).unwrap();
    assert_eq!(backup.integrity_check().unwrap(), ["ok"]);
    assert_eq!(
        backup.stats().unwrap().samples % 100,
        0,
        "バックアップに途中までのバッチがあります"
    );
}
