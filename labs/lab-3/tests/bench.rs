//! ベンチマークの表の形の仕様です。時間は測らず、決まった計測値から作った表を固定します。

use std::time::Duration;

use lab_3::bench::{
    Machine, Measurement, NodeInfo, Plan, render_markdown, render_node_markdown, variants,
};

fn machine() -> Machine {
    Machine {
        cpu: "Example CPU".into(),
        cores: 2,
        kernel: "6.1.0".into(),
        filesystem: "ext4 (/)".into(),
        sqlite_version: "3.50.0".into(),
        load_average: "0.10".into(),
        date: "2026-12-04 19:00 +09:00".into(),
    }
}

/// 方式 i の経過時間を、行数 × (i + 1) マイクロ秒として作ります。
fn measurements(with_node: bool) -> Vec<Measurement> {
    let plan = Plan {
        dir: "unused".into(),
        autocommit_rows: 100,
        batched_rows: 10_000,
        repeats: 1,
        node: with_node.then(|| lab_3::bench::NodeSqlite {
            node: "node".into(),
            script: "node-sqlite.mjs".into(),
            version: "v22.23.3".into(),
            flags: Vec::new(),
        }),
    };
    variants(&plan)
        .into_iter()
        .enumerate()
        .map(|(i, variant)| {
            let elapsed = Duration::from_micros(variant.rows as u64 * (i as u64 + 1));
            Measurement { variant, elapsed }
        })
        .collect()
}

#[test]
fn bench_table_shape() {
    let text = render_markdown(&machine(), None, 3, &measurements(false));
    insta::assert_snapshot!("bench_table", text);
}

#[test]
fn node_table_pairs_same_settings() {
    let info = NodeInfo {
        sqlite_version: "3.51.3".into(),
        has_percentile: false,
        warning: Some("ExperimentalWarning: SQLite is an experimental feature".into()),
    };
    let text = render_node_markdown("v22.23.3", &info, &measurements(true));
    insta::assert_snapshot!("node_table", text);
}

#[test]
fn baseline_is_first_variant() {
    let first = measurements(false).remove(0);
    assert_eq!(first.variant.journal_mode, "DELETE");
    assert_eq!(first.variant.synchronous, "FULL");
    assert_eq!(first.variant.batch, 1);
}
