//! `lab-4 report`が読む計測結果です。lab-1からlab-3はMarkdownの表を、lab-4は`bench.json`を読みます。

use std::path::{Path, PathBuf};

use super::markdown::{Table, leading_bullets, leading_number, tables};
use crate::bench::BenchResult;

/// 読んだ計測結果の全体です。
#[derive(Debug, Clone)]
pub struct Inputs {
    pub upgrade: Upgrade,
    pub wasm: WasmBench,
    pub sqlite: SqliteBench,
    pub svc: BenchResult,
}

/// lab-1のゼロダウンタイム更新の計測（`lab-1/upgrade.md`）です。
#[derive(Debug, Clone)]
pub struct Upgrade {
    pub machine: String,
    pub rows: Vec<UpgradeRow>,
}

/// 更新の方法ごと、回ごとの1行です。
#[derive(Debug, Clone)]
pub struct UpgradeRow {
    pub round: u32,
    pub method: String,
    pub sent: u64,
    pub failed: u64,
}

/// lab-2の起動とスループットの計測（`lab-2/startup.md`と`throughput.md`）です。
#[derive(Debug, Clone)]
pub struct WasmBench {
    pub machine: Vec<String>,
    pub startup: Vec<WasmStartup>,
    /// サーバーの名前と1秒あたりのリクエスト数です。最初の行（ネイティブ）が基準です。
    pub throughput: Vec<(String, f64)>,
}

/// エンジンごとの起動の内訳です。
#[derive(Debug, Clone)]
pub struct WasmStartup {
    pub engine: String,
    pub compile_ms: f64,
    pub aot_load_ms: f64,
    pub instantiate_p50_us: f64,
}

/// lab-3のSQLiteの計測（`lab-3/bench.md`と`crate-count.txt`）です。
#[derive(Debug, Clone)]
pub struct SqliteBench {
    pub machine: Vec<String>,
    pub rows: Vec<SqliteRow>,
    /// lab-3が通常の依存として使うクレートの数です。
    pub crate_count: u64,
}

/// 書き込み方式ごとの1行です。
#[derive(Debug, Clone)]
pub struct SqliteRow {
    pub method: String,
    pub journal_mode: String,
    pub synchronous: String,
    /// 1トランザクションの行数です（自動コミットは1）。
    pub batch: u64,
    pub rows_per_sec: f64,
}

/// 入力ファイルがないか、形が違うときのエラーです。
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    #[error("{path}を読めません（{detail}）。先に`{command}`で計測してください。")]
    Missing {
        path: PathBuf,
        detail: String,
        command: &'static str,
    },
    #[error("{path}の表の形が想定と違います: {detail}。そのラボの計測をやり直してください。")]
    Shape { path: PathBuf, detail: String },
}

impl Inputs {
    /// `generated`（`book/src/generated`）の下から読みます。
    pub fn read(generated: &Path) -> Result<Inputs, InputError> {
        Ok(Inputs {
            upgrade: read_upgrade(&generated.join("lab-1/upgrade.md"))?,
            wasm: read_wasm(&generated.join("lab-2"))?,
            sqlite: read_sqlite(&generated.join("lab-3"))?,
            svc: read_svc(&generated.join("lab-4/bench.json"))?,
        })
    }
}

fn read_text(path: &Path, command: &'static str) -> Result<String, InputError> {
    std::fs::read_to_string(path).map_err(|e| InputError::Missing {
        path: path.to_owned(),
        detail: e.to_string(),
        command,
    })
}

/// 見出しが`names`の列を持つ最初の表と、その列の番号です。
fn find_table<'a>(
    path: &Path,
    found: &'a [Table],
    names: &[&str],
) -> Result<(&'a Table, Vec<usize>), InputError> {
    for table in found {
        let columns: Option<Vec<usize>> = names.iter().map(|n| table.column(n)).collect();
        if let Some(columns) = columns {
            return Ok((table, columns));
        }
    }
    Err(InputError::Shape {
        path: path.to_owned(),
        detail: format!("列{}を持つ表がありません", names.join("、")),
    })
}

fn number(path: &Path, cell: &str) -> Result<f64, InputError> {
    leading_number(cell).ok_or_else(|| InputError::Shape {
        path: path.to_owned(),
        detail: format!("「{cell}」は数値ではありません"),
    })
}

fn read_upgrade(path: &Path) -> Result<Upgrade, InputError> {
    let text = read_text(
        path,
        "sudo -E env \"PATH=$PATH\" ./scripts/measure.sh lab-1",
    )?;
    let found = tables(&text);
    let (table, c) = find_table(path, &found, &["回", "方法", "送信", "失敗"])?;
    let mut rows = Vec::new();
    for row in &table.rows {
        rows.push(UpgradeRow {
            round: number(path, &row[c[0]])? as u32,
            method: row[c[1]].clone(),
            sent: number(path, &row[c[2]])? as u64,
            failed: number(path, &row[c[3]])? as u64,
        });
    }
    let machine = text
        .lines()
        .find_map(|l| l.strip_prefix("計測したマシン: "))
        .unwrap_or("不明")
        .to_owned();
    Ok(Upgrade { machine, rows })
}

fn read_wasm(dir: &Path) -> Result<WasmBench, InputError> {
    const COMMAND: &str = "./scripts/measure.sh lab-2";
    let path = dir.join("startup.md");
    let text = read_text(&path, COMMAND)?;
    let machine = leading_bullets(&text);
    let found = tables(&text);
    let (table, c) = find_table(
        &path,
        &found,
        &["エンジン", "コンパイル（.wasmから）", "AOT成果物の読み込み"],
    )?;
    let mut startup = Vec::new();
    for row in &table.rows {
        // 4列目は「p50 / p99」なので、先頭の数値（p50）を取ります。
        let instantiate = row.get(c[2] + 1).map(String::as_str).unwrap_or_default();
        startup.push(WasmStartup {
            engine: row[c[0]].clone(),
            compile_ms: number(&path, &row[c[1]])?,
            aot_load_ms: number(&path, &row[c[2]])?,
            instantiate_p50_us: number(&path, instantiate)?,
        });
    }

    let path = dir.join("throughput.md");
    let text = read_text(&path, COMMAND)?;
    let found = tables(&text);
    let (table, c) = find_table(&path, &found, &["サーバー", "リクエスト/秒"])?;
    let mut throughput = Vec::new();
    for row in &table.rows {
        throughput.push((row[c[0]].clone(), number(&path, &row[c[1]])?));
    }
    Ok(WasmBench {
        machine,
        startup,
        throughput,
    })
}

fn read_sqlite(dir: &Path) -> Result<SqliteBench, InputError> {
    const COMMAND: &str = "./scripts/measure.sh lab-3";
    let path = dir.join("bench.md");
    let text = read_text(&path, COMMAND)?;
    let machine = leading_bullets(&text);
    let found = tables(&text);
    let names = [
        "方式",
        "journal_mode",
        "synchronous",
        "バッチ (行)",
        "行/秒",
    ];
    let (table, c) = find_table(&path, &found, &names)?;
    let mut rows = Vec::new();
    for row in &table.rows {
        rows.push(SqliteRow {
            method: row[c[0]].clone(),
            journal_mode: row[c[1]].clone(),
            synchronous: row[c[2]].clone(),
            batch: number(&path, &row[c[3]])? as u64,
            rows_per_sec: number(&path, &row[c[4]])?,
        });
    }

    let path = dir.join("crate-count.txt");
    let crate_count = number(&path, read_text(&path, COMMAND)?.trim())? as u64;
    Ok(SqliteBench {
        machine,
        rows,
        crate_count,
    })
}

fn read_svc(path: &Path) -> Result<BenchResult, InputError> {
    let text = read_text(
        path,
        "sudo -E env \"PATH=$PATH\" ./scripts/measure.sh lab-4",
    )?;
    serde_json::from_str(&text).map_err(|e| InputError::Shape {
        path: path.to_owned(),
        detail: e.to_string(),
    })
}
