//! 計測結果を Markdown にします。本は `book/src/generated/lab-3/` のファイルとして取り込みます。

use std::fmt::Write;

use super::{Engine, Machine, Measurement, NodeInfo};

/// マシンの情報と、基準 (先頭の計測) に対する比の表を返します。
pub fn render_markdown(
    machine: &Machine,
    node_version: Option<&str>,
    repeats: usize,
    results: &[Measurement],
) -> String {
    let mut out = String::new();
    let baseline = results.first().map_or(1.0, Measurement::rows_per_second);
    let node = node_version.unwrap_or("なし (Node 22.5 以降が見つかりませんでした)");

    let _ = writeln!(out, "- CPU: {} ({} コア)", machine.cpu, machine.cores);
    let _ = writeln!(out, "- カーネル: {}", machine.kernel);
    let _ = writeln!(out, "- ファイルシステム: {}", machine.filesystem);
    let _ = writeln!(
        out,
        "- SQLite: {} (rusqlite の bundled)",
        machine.sqlite_version
    );
    let _ = writeln!(out, "- Node: {node}");
    let _ = writeln!(out, "- 計測日時: {}", machine.date);
    let _ = writeln!(
        out,
        "- 計測開始時のロードアベレージ (1 分): {}",
        machine.load_average
    );
    let _ = writeln!(
        out,
        "- 各方式 {repeats} 回の中央値 (`./scripts/measure.sh lab-3`)"
    );
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "| 方式 | journal_mode | synchronous | バッチ (行) | 行数 | 行/秒 | 基準比 |"
    );
    let _ = writeln!(out, "| --- | --- | --- | ---: | ---: | ---: | ---: |");
    for m in results {
        let v = &m.variant;
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {:.0} | {:.1}× |",
            v.label,
            v.journal_mode,
            v.synchronous,
            batch_label(v.batch),
            v.rows,
            m.rows_per_second(),
            m.rows_per_second() / baseline,
        );
    }
    out
}

/// 同じ設定・同じバッチの rusqlite と node:sqlite を並べた表と、Node の SQLite の情報を返します。
pub fn render_node_markdown(
    node_version: &str,
    info: &NodeInfo,
    results: &[Measurement],
) -> String {
    let mut out = String::new();

    // 表の上に、Node と組み込まれた SQLite の事実を並べます。
    let _ = writeln!(out, "- Node: {node_version}");
    let _ = writeln!(out, "- Node に組み込まれた SQLite: {}", info.sqlite_version);
    let percentile = if info.has_percentile {
        "あり"
    } else {
        "なし"
    };
    let _ = writeln!(out, "- `percentile()` 関数: {percentile}");
    let warning = info.warning.as_deref().unwrap_or("なし");
    let _ = writeln!(out, "- `node:sqlite` を読み込んだときの警告: `{warning}`");
    let _ = writeln!(out);

    let _ = writeln!(
        out,
        "| 同じワークロード | rusqlite (行/秒) | node:sqlite (行/秒) | rusqlite ÷ node:sqlite |"
    );
    let _ = writeln!(out, "| --- | ---: | ---: | ---: |");
    for (rust, node) in node_pairs(results) {
        let v = &node.variant;
        let _ = writeln!(
            out,
            "| {} + {}、バッチ {} | {:.0} | {:.0} | {:.2}× |",
            v.journal_mode,
            v.synchronous,
            batch_label(v.batch),
            rust.rows_per_second(),
            node.rows_per_second(),
            rust.rows_per_second() / node.rows_per_second(),
        );
    }
    out
}

fn batch_label(batch: usize) -> String {
    match batch {
        1 => "1 (自動コミット)".to_string(),
        n => n.to_string(),
    }
}

/// node:sqlite の計測ごとに、同じ設定・同じバッチの rusqlite の計測を探して組にします。
fn node_pairs(results: &[Measurement]) -> Vec<(&Measurement, &Measurement)> {
    results
        .iter()
        .filter(|m| m.variant.engine == Engine::NodeSqlite)
        .filter_map(|node| {
            let rust = results.iter().find(|m| {
                m.variant.engine == Engine::Rusqlite
                    && m.variant.batch == node.variant.batch
                    && m.variant.journal_mode == node.variant.journal_mode
                    && m.variant.synchronous == node.variant.synchronous
            })?;
            Some((rust, node))
        })
        .collect()
}
