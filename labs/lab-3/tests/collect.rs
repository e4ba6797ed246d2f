//! /proc からの収集の仕様です。固定の /proc と、このマシンの本物の /proc の両方で確かめます。

mod common;

use lab_3::collect::Collector;

/// 2 回分の /proc/stat を切り替えられる、固定の /proc を作ります。
fn fake_proc(stat: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("loadavg"), "0.52 0.40 0.31 2/345 6789\n").unwrap();
    std::fs::write(
        dir.path().join("meminfo"),
        "MemTotal:       16000000 kB\nMemFree:         1000000 kB\nMemAvailable:    8000000 kB\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("stat"), stat).unwrap();
    dir
}

#[test]
fn fixed_proc_samples() {
    let proc_dir = fake_proc("cpu  100 0 100 700 100 0 0 0 0 0\n");
    let mut collector = Collector::with_root(proc_dir.path());
    collector.sample(1_796_346_000_000).unwrap();

    // 2 回目: busy が 100、全体が 400 増えたので、使用率は 0.25 です。
    std::fs::write(
        proc_dir.path().join("stat"),
        "cpu  150 0 150 950 150 0 0 0 0 0\n",
    )
    .unwrap();
    let samples = collector.sample(1_796_346_001_000).unwrap();
    insta::assert_debug_snapshot!("fixed_proc", samples);
}

// 本物の /proc を読むテストは Linux でだけビルドします。macOS と Windows には /proc がありません。
#[cfg(target_os = "linux")]
#[test]
fn real_proc_has_load_memory_cpu() {
    let mut collector = Collector::new();
    collector.sample(lab_3::time::now_ms()).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(50));
    let samples = collector.sample(lab_3::time::now_ms()).unwrap();
    let names: Vec<&str> = samples.iter().map(|s| s.metric.as_str()).collect();
    assert!(names.contains(&"node_load1"), "{names:?}");
    assert!(
        names.contains(&"node_memory_MemAvailable_bytes"),
        "{names:?}"
    );
    assert!(
        samples
            .iter()
            .all(|s| s.value.is_finite() && s.value >= 0.0),
        "{samples:?}"
    );
}

#[test]
fn missing_proc_is_named() {
    let mut collector = Collector::with_root("/nonexistent-proc");
    let error = collector.sample(0).unwrap_err().to_string();
    assert!(error.contains("/nonexistent-proc/loadavg"), "{error}");
}

#[cfg(target_os = "linux")]
#[test]
fn collect_cli_records_rounds() {
    let dir = tempfile::tempdir().unwrap();
    let output = common::lab3(
        dir.path(),
        &["collect", "--interval", "10ms", "--count", "3"],
    );
    assert!(output.status.success(), "{}", common::transcript(&output));
    let store = lab_3::Store::open(dir.path().join("metrics.db")).unwrap();
    assert_eq!(store.range("node_load1", 0, i64::MAX).unwrap().len(), 3);
}

/// Linux 以外では、collect はストアを作らずに日本語のエラーで終わります。
#[cfg(not(target_os = "linux"))]
#[test]
fn collect_cli_refuses_off_linux() {
    let dir = tempfile::tempdir().unwrap();
    let output = common::lab3(dir.path(), &["collect", "--count", "1"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("Linux で実行するか"), "{stderr}");
    assert!(
        !dir.path().join("metrics.db").exists(),
        "ストアができました"
    );
}
