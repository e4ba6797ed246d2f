//! CLI の仕様です。固定のデータセットを取り込み、人向けの表と JSON をスナップショットで固定します。

mod common;

use std::path::Path;

use common::{FIXTURE_CSV, FROM, TO, lab3, lab3_with_stdin, transcript};

/// 固定のデータセットを取り込んだディレクトリを返します。
fn imported() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let output = lab3(dir.path(), &["import", FIXTURE_CSV]);
    assert!(output.status.success(), "{}", transcript(&output));
    dir
}

fn run(dir: &Path, args: &[&str]) -> String {
    transcript(&lab3(dir, args))
}

/// 本の「問い合わせ・ロールアップ・保持期間」の節と同じ順にコマンドを流し、各出力を固定します。
/// 本を上から順にたどると、同じ出力になります。
#[test]
fn book_sequence() {
    let dir = tempfile::tempdir().unwrap();
    let step = |args: &[&str]| run(dir.path(), args);

    let text =
        step(&["import", FIXTURE_CSV]).replace(FIXTURE_CSV, "labs/lab-3/tests/data/metrics.csv");
    book_snapshot!("import_fixture", text);
    book_snapshot!("query_latest", step(&["query"]));
    let to_5m = "2026-12-04T10:05:00+09:00";
    book_snapshot!(
        "query_range",
        step(&["query", "node_load1", "--from", FROM, "--to", to_5m])
    );
    let latency = "http_request_duration_seconds";
    book_snapshot!(
        "query_buckets",
        step(&[
            "query", latency, "--from", FROM, "--to", TO, "--bucket", "5m"
        ])
    );
    book_snapshot!(
        "summary",
        step(&["summary", latency, "--from", FROM, "--to", TO])
    );
    book_snapshot!("rollup", step(&["rollup"]));
    book_snapshot!("query_rollup", step(&["query", latency, "--rollup", "1h"]));

    // prune の境界は実行した時刻で決まるので、時刻だけを伏せます。
    let prune = step(&["prune", "--older-than", "1h"]);
    insta::with_settings!({ omit_expression => true, filters => vec![(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+09:00", "[時刻]")] }, {
        insta::assert_snapshot!("prune", prune);
    });
    book_snapshot!("rollup_after_prune", step(&["rollup"]));
    book_snapshot!(
        "query_rollup_after_prune",
        step(&["query", latency, "--rollup", "1h"])
    );

    let stats = step(&["stats"]);
    insta::with_settings!({ omit_expression => true, filters => vec![(r"(WAL の大きさ \(バイト\)\s+┆)\s+\d+", "$1 [WAL]")] }, {
        insta::assert_snapshot!("stats", stats);
    });
    book_snapshot!("check", step(&["check"]));
}

#[test]
fn summary_json() {
    let dir = imported();
    let text = run(
        dir.path(),
        &["--json", "summary", "http_request_duration_seconds"],
    );
    book_snapshot!("summary_json", text);
}

#[test]
fn backup_then_check() {
    let dir = imported();
    let backup = lab3(dir.path(), &["backup", "backup.db"]);
    assert!(backup.status.success(), "{}", transcript(&backup));
    let check = lab3(dir.path(), &["--db", "backup.db", "check"]);
    assert_eq!(
        String::from_utf8_lossy(&check.stdout),
        "整合性チェック: ok\n"
    );
}

#[test]
fn backup_refuses_existing_file() {
    let dir = imported();
    std::fs::write(dir.path().join("backup.db"), b"keep me").unwrap();
    let output = lab3(dir.path(), &["backup", "backup.db"]);
    book_snapshot!("backup_exists", transcript(&output));
    assert_eq!(
        std::fs::read(dir.path().join("backup.db")).unwrap(),
        b"keep me"
    );
}

#[test]
fn read_command_needs_existing_store() {
    let dir = tempfile::tempdir().unwrap();
    book_snapshot!(
        "missing_db",
        run(dir.path(), &["--db", "metrcs.db", "stats"])
    );
}

#[test]
fn read_commands_create_no_file() {
    let dir = tempfile::tempdir().unwrap();
    for command in ["stats", "check", "query", "rollup"] {
        lab3(dir.path(), &[command]);
    }
    lab3(dir.path(), &["summary", "node_load1"]);
    lab3(dir.path(), &["prune", "--older-than", "7d"]);
    lab3(dir.path(), &["backup", "copy.db"]);
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn import_counts_replaced_rows() {
    let dir = imported();
    book_snapshot!(
        "import_again",
        run(dir.path(), &["import", FIXTURE_CSV])
            .replace(FIXTURE_CSV, "labs/lab-3/tests/data/metrics.csv")
    );
}

#[test]
fn import_csv_without_header_keeps_first_row() {
    let dir = tempfile::tempdir().unwrap();
    let csv = b"metric_a,1796346000000,1\nmetric_a,1796346060000,2\n";
    let output = lab3_with_stdin(
        dir.path(),
        &["--json", "import", "-", "--format", "csv"],
        csv,
    );
    assert!(
        String::from_utf8_lossy(&output.stdout).contains("\"inserted\": 2"),
        "{}",
        transcript(&output)
    );
}

#[test]
fn query_rollup_json() {
    let dir = imported();
    lab3(dir.path(), &["rollup"]);
    let text = run(
        dir.path(),
        &["--json", "query", "node_load1", "--rollup", "1h"],
    );
    book_snapshot!("query_rollup_json", text);
}

#[test]
fn help_top_level() {
    let dir = tempfile::tempdir().unwrap();
    book_snapshot!("help", run(dir.path(), &["--help"]));
}

#[test]
fn help_summary() {
    let dir = tempfile::tempdir().unwrap();
    book_snapshot!("help_summary", run(dir.path(), &["summary", "-h"]));
}

#[test]
fn help_writes_no_database() {
    let dir = tempfile::tempdir().unwrap();
    lab3(dir.path(), &["--help"]);
    assert!(!dir.path().join("metrics.db").exists());
}

#[test]
fn usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    let cases: [&[&str]; 18] = [
        &[],
        &["frobnicate"],
        &["record", "node_load1"],
        &["record", "node_load1", "abc"],
        &["record", "node_load1", "1", "2"],
        &["record", "node_load1", " infinity"],
        &["collect", "--count", "-1"],
        &["collect", "--count", "abc"],
        &["collect", "--interval", "-5s"],
        &["stats", "--db"],
        &["query", "node_load1", "--bucket", "0s"],
        &["query", "node_load1", "--bucket", "5x"],
        &["query", "node_load1", "--rollup", "5m"],
        &["query", "node_load1", "--from", "yesterday"],
        &["prune", "--older-than", "100000w"],
        &["import", "x.csv", "--format", "xml"],
        &[
            "query",
            "--from",
            "2026-12-04T10:00:00+09:00",
            "--last",
            "1h",
        ],
        &["stats", "--verbose"],
    ];
    // 引数の誤りはストアを開く前に見つかるので、store を用意しておきます。
    lab3(dir.path(), &["record", "node_load1", "1"]);
    let mut text = String::new();
    for args in cases {
        let output = lab3(dir.path(), args);
        text.push_str(&format!("$ lab-3 {}\n", args.join(" ")));
        text.push_str(&format!("終了コード: {:?}\n", output.status.code()));
        let stderr = String::from_utf8_lossy(&output.stderr);
        // 引数なしのときは最上位のヘルプも出ます。ここでは最後の行だけを固定します。
        text.push_str(stderr.lines().last().unwrap_or_default());
        text.push_str("\n\n");
    }
    book_snapshot!("usage_errors", text);
}

#[test]
fn record_rejects_nan() {
    let dir = tempfile::tempdir().unwrap();
    book_snapshot!(
        "record_nan",
        run(dir.path(), &["record", "node_load1", "NaN"])
    );
}

#[test]
fn record_rejects_bad_name() {
    let dir = tempfile::tempdir().unwrap();
    book_snapshot!(
        "record_bad_name",
        run(dir.path(), &["record", "cpu.load", "1"])
    );
}

#[test]
fn not_a_database_via_cli() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("metrics.db"), "metric,timestamp,value\n").unwrap();
    book_snapshot!("not_a_database", run(dir.path(), &["stats"]));
}

#[test]
fn import_reports_bad_lines() {
    let dir = tempfile::tempdir().unwrap();
    let csv = "metric,timestamp,value\n\
               node_load1,2026-12-04T10:00:00+09:00,0.5\n\
               node_load1,2026-12-04T10:01:00+09:00,abc\n\
               node.load1,2026-12-04T10:02:00+09:00,0.7\n\
               node_load1,昨日,0.8\n\
               node_load1,2026-12-04T10:04:00+09:00\n\
               node_load1,2026-12-04T10:05:00+09:00,inf\n";
    std::fs::write(dir.path().join("bad.csv"), csv).unwrap();
    let text = run(dir.path(), &["import", "bad.csv"]);
    book_snapshot!("import_bad_lines", text);
    assert!(
        !dir.path().join("metrics.db").exists(),
        "不正な入力でストアができました"
    );
}

#[test]
fn import_accepts_utf8_bom() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend_from_slice(
        b"metric,timestamp,value\r\nnode_load1,2026-12-04T10:00:00+09:00,0.5\r\n",
    );
    std::fs::write(dir.path().join("excel.csv"), bytes).unwrap();
    let output = lab3(dir.path(), &["import", "excel.csv"]);
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "`excel.csv` から 1 行を取り込みました（新しい行 1、同じメトリクス・時刻の値を置き換えた行 0）。\n"
    );
}

#[test]
fn import_names_shift_jis() {
    let dir = tempfile::tempdir().unwrap();
    // 「負荷」を Shift_JIS で書いた見出しです。
    let bytes = b"\x95\x89\x89\xd7,timestamp,value\r\nnode_load1,2026-12-04T10:00:00+09:00,0.5\r\n";
    std::fs::write(dir.path().join("sjis.csv"), bytes).unwrap();
    book_snapshot!("import_shift_jis", run(dir.path(), &["import", "sjis.csv"]));
}

#[test]
fn import_json_lines_from_stdin() {
    let dir = tempfile::tempdir().unwrap();
    let input =
        br#"{"metric": "node_load1", "timestamp": "2026-12-04T10:00:00+09:00", "value": 0.5}
{"metric": "node_load1", "timestamp": 1796346060000, "value": 0.6}
"#;
    let output = lab3_with_stdin(dir.path(), &["import", "-"], input);
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "標準入力から 2 行を取り込みました（新しい行 2、同じメトリクス・時刻の値を置き換えた行 0）。\n"
    );
}

#[test]
fn import_json_lines_bad_line() {
    let dir = tempfile::tempdir().unwrap();
    let input = b"{\"metric\": \"node_load1\", \"timestamp\": 1796346000000, \"value\": 0.5}\n{\"metric\": \"node_load1\", \"value\": 0.6}\n";
    let output = lab3_with_stdin(dir.path(), &["import", "-", "--format", "jsonl"], input);
    book_snapshot!("import_jsonl_bad_line", transcript(&output));
}

#[test]
fn unknown_metric_via_cli() {
    let dir = imported();
    book_snapshot!(
        "unknown_metric",
        run(dir.path(), &["summary", "node_load2"])
    );
}
