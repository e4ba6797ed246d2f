//! 人向けの表 (comfy-table) と、機械向けの JSON です。

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{CellAlignment, Table};
use serde::Serialize;

use lab_3::maintenance::Stats;
use lab_3::query::{Bucket, Latest, Point, Summary};
use lab_3::time::format_local;

/// 見出し付きの表を作ります。comfy-table は全角文字の幅を 2 として数えます。
fn table(header: &[&str]) -> Table {
    let mut table = Table::new();
    table
        .load_preset(UTF8_FULL_CONDENSED)
        .set_header(header.to_vec());
    table
}

/// 数の列を右寄せにします。
fn right_align(table: &mut Table, columns: &[usize]) {
    for &index in columns {
        if let Some(column) = table.column_mut(index) {
            column.set_cell_alignment(CellAlignment::Right);
        }
    }
}

/// 値を読みやすい桁で表示します。整数はそのまま、それ以外は有効数字 6 桁ほどにします。
pub fn number(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{value:.0}")
    } else {
        let text = format!("{value:.6}");
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

pub fn json<T: Serialize>(value: &T) -> String {
    serde_json::to_string_pretty(value).expect("出力する値は JSON にできます")
}

pub fn latest(rows: &[Latest]) -> String {
    let mut t = table(&["メトリクス", "時刻", "値"]);
    for row in rows {
        t.add_row(vec![
            row.metric.clone(),
            format_local(row.timestamp_ms),
            number(row.value),
        ]);
    }
    right_align(&mut t, &[2]);
    t.to_string()
}

pub fn points(metric: &str, rows: &[Point]) -> String {
    let mut t = table(&["時刻", metric]);
    for row in rows {
        t.add_row(vec![format_local(row.timestamp_ms), number(row.value)]);
    }
    right_align(&mut t, &[1]);
    t.to_string()
}

pub fn buckets(rows: &[Bucket]) -> String {
    let mut t = table(&["バケットの始まり", "件数", "最小", "最大", "平均"]);
    for row in rows {
        t.add_row(vec![
            format_local(row.start_ms),
            row.count.to_string(),
            number(row.min),
            number(row.max),
            number(row.avg),
        ]);
    }
    right_align(&mut t, &[1, 2, 3, 4]);
    t.to_string()
}

pub fn summary(s: &Summary) -> String {
    let mut t = table(&[
        "メトリクス",
        "件数",
        "最小",
        "最大",
        "平均",
        "p50",
        "p95",
        "p99",
    ]);
    t.add_row(vec![
        s.metric.clone(),
        s.count.to_string(),
        number(s.min),
        number(s.max),
        number(s.avg),
        number(s.p50),
        number(s.p95),
        number(s.p99),
    ]);
    right_align(&mut t, &[1, 2, 3, 4, 5, 6, 7]);
    t.to_string()
}

pub fn stats(s: &Stats) -> String {
    let mut t = table(&["項目", "値"]);
    let rows = [
        ("メトリクスの数", s.metrics.to_string()),
        ("サンプルの行数", s.samples.to_string()),
        ("ロールアップの行数", s.rollups.to_string()),
        ("ページサイズ (バイト)", s.page_size.to_string()),
        ("ページ数", s.page_count.to_string()),
        ("空きページ数", s.freelist_count.to_string()),
        ("ファイルの大きさ (バイト)", s.file_bytes.to_string()),
        ("WAL の大きさ (バイト)", s.wal_bytes.to_string()),
        ("スキーマのバージョン", s.schema_version.to_string()),
    ];
    for (name, value) in rows {
        t.add_row(vec![name.to_string(), value]);
    }
    right_align(&mut t, &[1]);
    t.to_string()
}
