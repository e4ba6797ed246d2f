//! クラッシュ安全性の仕様です。
//!
//! `lab-3 import - --progress` を子プロセスで動かし、コミットを報告させながら、
//! 25 通りの時点で SIGKILL します。そのたびに次を確かめます。
//! - 報告されたバッチはすべて残っている。
//! - 途中までのバッチはない (行数はバッチの大きさの倍数で、先頭から連続している)。
//! - `PRAGMA integrity_check` が `ok` を返す。

mod common;

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::Duration;

use common::KillOnDrop;
use lab_3::Store;

const BATCH: usize = 500;
const ROWS: usize = 50_000;
const KILL_POINTS: usize = 25;

/// 実行 `run` の入力です。行 i の値は i で、時刻は 1 ms ずつ進みます。
fn input(run: usize) -> Vec<u8> {
    let base = common::ms(common::FROM);
    let mut text = String::with_capacity(ROWS * 48);
    for i in 0..ROWS {
        text.push_str(&format!("crash_run_{run},{},{i}\n", base + i as i64));
    }
    text.into_bytes()
}

/// 進捗の行「バッチ k をコミットしました（累計 N 行）。」から N を取り出します。
fn committed_rows(line: &str) -> Option<usize> {
    let rest = line.split("累計 ").nth(1)?;
    rest.split(' ').next()?.parse().ok()
}

// ANCHOR: run_and_kill
/// 子プロセスを起動し、`reports` 回の報告の後、`delay` 待って SIGKILL します。
/// 報告された行数と、子が SIGKILL で終わったかを返します。
fn run_and_kill(
    db: &std::path::Path,
    run: usize,
    reports: usize,
    delay: Duration,
) -> (usize, bool) {
    let child = Command::new(env!("CARGO_BIN_EXE_lab-3"))
        .args([
            "--db",
            db.to_str().unwrap(),
            "import",
            "-",
            "--format",
            "csv",
            "--progress",
        ])
        .args(["--batch-size", &BATCH.to_string()])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("lab-3 を起動できます");
    let mut child = KillOnDrop(child);

    // 入力を書き終えてから、進捗の行を読みます。
    let mut stdin = child.0.stdin.take().unwrap();
    stdin.write_all(&input(run)).unwrap();
    drop(stdin);
    let mut stderr = BufReader::new(child.0.stderr.take().unwrap());

    let mut reported = 0;
    let mut line = String::new();
    for _ in 0..reports {
        line.clear();
        if stderr.read_line(&mut line).unwrap() == 0 {
            break;
        }
        reported = committed_rows(&line).unwrap_or(reported);
    }
    std::thread::sleep(delay);
    child.0.kill().unwrap();
    let status = child.0.wait().unwrap();

    // SIGKILL の前に書かれた報告も数えます。報告はコミットが返った後に書かれます。
    for rest in stderr.lines() {
        reported = committed_rows(&rest.unwrap()).unwrap_or(reported);
    }
    (reported, !status.success())
}
// ANCHOR_END: run_and_kill

// ANCHOR: crash_test
#[test]
fn sigkill_keeps_committed_batches() {
    let temp = common::temp_store();
    Store::open(&temp.path).unwrap();
    let mut killed_midway = 0;

    for run in 0..KILL_POINTS {
        // 報告の回数 (0〜12) と待ち時間 (0〜1.6 ms) を組み合わせて、止める時点を変えます。
        let reports = run / 2;
        let delay = Duration::from_micros((run % 5) as u64 * 400);
        let (reported, killed) = run_and_kill(&temp.path, run, reports, delay);

        // SIGKILL の後に開くと、SQLite は WAL から復旧します。
        let store = Store::open(&temp.path).unwrap();
        let rows = store
            .range(&format!("crash_run_{run}"), 0, i64::MAX)
            .unwrap_or_default();
        let count = rows.len();
        eprintln!(
            "実行 {run}: 報告 {reported} 行、残っていた {count} 行、SIGKILL で終了: {killed}"
        );

        assert!(
            count >= reported,
            "実行 {run}: 報告された {reported} 行のうち {count} 行しかありません"
        );
        assert_eq!(
            count % BATCH,
            0,
            "実行 {run}: 途中までのバッチがあります ({count} 行)"
        );
        assert!(
            rows.iter().enumerate().all(|(i, p)| p.value == i as f64),
            "実行 {run}: 行が先頭から連続していません"
        );
        assert_eq!(store.integrity_check().unwrap(), ["ok"], "実行 {run}");
        if killed && count < ROWS {
            killed_midway += 1;
        }
    }
    assert!(
        killed_midway >= 20,
        "取り込みの途中で止められたのは {killed_midway} 回だけです"
    );
}
// ANCHOR_END: crash_test
