//! 書き込みのベンチマークです。同じ実行の中で、SQLite の既定の設定で 1 行ずつ自動コミットする方式を
//! 基準にして、各方式の速さを比で示します。結果は Markdown の表として書き出します。

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Context;
use rusqlite::{Connection, params};

use crate::sample::Sample;
use crate::store::Store;
use crate::store::schema::MIGRATIONS;

mod machine;
mod node;
mod report;

pub use machine::Machine;
pub use node::{NodeInfo, NodeSqlite};
pub use report::{render_markdown, render_node_markdown};

/// 1 つの方式の設定です。
#[derive(Debug, Clone, PartialEq)]
pub struct Variant {
    pub label: String,
    pub journal_mode: &'static str,
    pub synchronous: &'static str,
    /// 1 トランザクションの行数です。1 なら 1 行ごとの自動コミットです。
    pub batch: usize,
    pub rows: usize,
    pub engine: Engine,
}

/// 挿入を実行するものです。
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    /// rusqlite でキャッシュしたステートメントを直接使います。
    Rusqlite,
    /// ラボの `Store::record_batch` (検証とメトリクス名の解決を含む) を使います。
    Store,
    /// Node の `node:sqlite` (`DatabaseSync`) を使います。
    NodeSqlite,
}

/// 1 つの方式の計測結果です。
#[derive(Debug, Clone, PartialEq)]
pub struct Measurement {
    pub variant: Variant,
    pub elapsed: Duration,
}

impl Measurement {
    pub fn rows_per_second(&self) -> f64 {
        self.variant.rows as f64 / self.elapsed.as_secs_f64()
    }
}

/// ベンチマークの全体の設定です。
#[derive(Debug, Clone)]
pub struct Plan {
    /// データベースを作るディレクトリです。tmpfs ではなく実際のディスクに置いてください。
    pub dir: PathBuf,
    /// 自動コミットの方式で書く行数です (コミットごとに fsync するので少なめにします)。
    pub autocommit_rows: usize,
    /// バッチの方式で書く行数です。
    pub batched_rows: usize,
    /// 各方式を繰り返す回数です。表には中央値を載せます。
    pub repeats: usize,
    pub node: Option<NodeSqlite>,
}

/// (方式, journal_mode, synchronous, バッチの行数, エンジン) の組です。
type Spec = (&'static str, &'static str, &'static str, usize, Engine);

// ANCHOR: variants
/// 計測する方式の一覧です。先頭が基準 (SQLite の既定の設定で 1 行ずつ自動コミット) です。
/// バッチの行数が 1 の方式は、BEGIN を書かずに文ごとに自動コミットします。
fn specs(with_node: bool) -> Vec<Spec> {
    use Engine::{NodeSqlite, Rusqlite, Store};
    let mut specs = vec![
        ("基準: 既定の設定", "DELETE", "FULL", 1, Rusqlite),
        ("WAL", "WAL", "FULL", 1, Rusqlite),
        ("WAL + NORMAL", "WAL", "NORMAL", 1, Rusqlite),
        ("既定の設定でバッチ", "DELETE", "FULL", 1000, Rusqlite),
        ("WAL でバッチ", "WAL", "FULL", 1000, Rusqlite),
    ];
    for batch in [10, 100, 1000, 10_000, 100_000] {
        specs.push(("WAL + NORMAL でバッチ", "WAL", "NORMAL", batch, Rusqlite));
    }
    specs.push(("Store::record_batch", "WAL", "NORMAL", 1000, Store));
    if with_node {
        specs.push(("node:sqlite", "WAL", "NORMAL", 1, NodeSqlite));
        specs.push(("node:sqlite でバッチ", "WAL", "NORMAL", 1000, NodeSqlite));
    }
    specs
}
// ANCHOR_END: variants

/// 計測する方式の一覧です。自動コミットはコミットごとに fsync するので、行数を少なくします。
pub fn variants(plan: &Plan) -> Vec<Variant> {
    let to_variant = |(label, journal_mode, synchronous, batch, engine): Spec| Variant {
        label: label.to_string(),
        journal_mode,
        synchronous,
        batch,
        rows: if batch == 1 {
            plan.autocommit_rows
        } else {
            plan.batched_rows
        },
        engine,
    };
    specs(plan.node.is_some())
        .into_iter()
        .map(to_variant)
        .collect()
}

/// すべての方式を順に計測します。試行ごとに新しいデータベースファイルを使い、中央値を返します。
pub fn run(plan: &Plan) -> anyhow::Result<Vec<Measurement>> {
    std::fs::create_dir_all(&plan.dir)?;
    let mut results = Vec::new();
    for (index, variant) in variants(plan).into_iter().enumerate() {
        let mut times = Vec::new();
        for _ in 0..plan.repeats.max(1) {
            let path = plan.dir.join(format!("bench-{index}.db"));
            remove_database(&path);
            times.push(run_once(plan, &path, &variant)?);
            remove_database(&path);
        }
        times.sort();
        let elapsed = times[times.len() / 2];
        results.push(Measurement { variant, elapsed });
    }
    Ok(results)
}

fn run_once(plan: &Plan, path: &Path, variant: &Variant) -> anyhow::Result<Duration> {
    match variant.engine {
        Engine::Rusqlite => run_rusqlite(path, variant),
        Engine::Store => run_store(path, variant),
        Engine::NodeSqlite => {
            let node = plan
                .node
                .as_ref()
                .context("node:sqlite の方式には --node と --node-script が必要です")?;
            prepare(path, variant)?;
            node.run(path, variant)
        }
    }
}

/// 計測する行です。10 個のメトリクスに、1 秒おきの時刻で順に値を入れます。
pub fn workload_row(i: usize) -> (i64, i64, f64) {
    let metric_id = (i % 10) as i64 + 1;
    let timestamp_ms = 1_780_000_000_000 + (i / 10) as i64 * 1000;
    (metric_id, timestamp_ms, (i % 997) as f64 * 0.25)
}

/// スキーマとメトリクス 10 個を用意し、設定を適用した接続を返します。
fn prepare(path: &Path, variant: &Variant) -> anyhow::Result<Connection> {
    let conn = Connection::open(path)?;
    conn.pragma_update(None, "journal_mode", variant.journal_mode)?;
    conn.pragma_update(None, "synchronous", variant.synchronous)?;
    for sql in MIGRATIONS {
        conn.execute_batch(sql)?;
    }
    for id in 1..=10 {
        conn.execute(
            "INSERT INTO metric (id, name) VALUES (?1, ?2)",
            params![id, format!("bench_metric_{id}")],
        )?;
    }
    Ok(conn)
}

// ANCHOR: run_rusqlite
/// rusqlite で `variant.rows` 行を、`variant.batch` 行ずつのトランザクションで挿入します。
fn run_rusqlite(path: &Path, variant: &Variant) -> anyhow::Result<Duration> {
    let conn = prepare(path, variant)?;
    let mut insert = conn.prepare_cached(
        "INSERT INTO sample (metric_id, timestamp_ms, value) VALUES (?1, ?2, ?3)",
    )?;

    let started = Instant::now();
    for chunk_start in (0..variant.rows).step_by(variant.batch) {
        // batch が 1 なら BEGIN を書かず、文ごとの自動コミットにします。
        let explicit = variant.batch > 1;
        if explicit {
            conn.execute_batch("BEGIN")?;
        }
        for i in chunk_start..(chunk_start + variant.batch).min(variant.rows) {
            let (metric_id, timestamp_ms, value) = workload_row(i);
            insert.execute(params![metric_id, timestamp_ms, value])?;
        }
        if explicit {
            conn.execute_batch("COMMIT")?;
        }
    }
    Ok(started.elapsed())
}
// ANCHOR_END: run_rusqlite

/// ラボの API で同じ行を書きます。サンプルの組み立ては計測に含めません。
fn run_store(path: &Path, variant: &Variant) -> anyhow::Result<Duration> {
    let mut store = Store::open(path)?;
    let samples: Vec<Sample> = (0..variant.rows)
        .map(|i| {
            let (metric_id, timestamp_ms, value) = workload_row(i);
            Sample::new(format!("bench_metric_{metric_id}"), timestamp_ms, value)
        })
        .collect();

    let started = Instant::now();
    for chunk in samples.chunks(variant.batch) {
        store.record_batch(chunk)?;
    }
    Ok(started.elapsed())
}

fn remove_database(path: &Path) {
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
}
