//! `node:sqlite` で同じ挿入を計測します。Node 22.5 以降が必要です。

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use anyhow::{Context, bail};

use super::Variant;

/// Node に組み込まれた SQLite の情報です。
#[derive(Debug, Clone, PartialEq)]
pub struct NodeInfo {
    pub sqlite_version: String,
    pub has_percentile: bool,
    /// `node:sqlite` を読み込んだときに Node が出した警告 (ExperimentalWarning など) です。
    pub warning: Option<String>,
}

/// `node:sqlite` を使える Node と、計測用のスクリプトです。
#[derive(Debug, Clone, PartialEq)]
pub struct NodeSqlite {
    pub node: PathBuf,
    pub script: PathBuf,
    pub version: String,
    /// `node:sqlite` を読み込むのに要るフラグです。22.13 と 23.4 より前では `--experimental-sqlite` が要ります。
    pub flags: Vec<&'static str>,
}

impl NodeSqlite {
    /// `node --version` を確かめ、22.5 より古ければエラーにします。
    /// 22.5–22.12 と 23.0–23.3 の `node:sqlite` はフラグなしでは読み込めないので、`--experimental-sqlite` を付けます。
    pub fn new(node: PathBuf, script: PathBuf) -> anyhow::Result<NodeSqlite> {
        let output = Command::new(&node)
            .arg("--version")
            .output()
            .with_context(|| {
                format!(
                    "`{}` を実行できません。Node 22.5 以降のパスを --node で指定してください",
                    node.display()
                )
            })?;
        let version = String::from_utf8_lossy(&output.stdout).trim().to_string();
        let numbers: Vec<u32> = version
            .trim_start_matches('v')
            .split('.')
            .filter_map(|n| n.parse().ok())
            .collect();
        if numbers.len() < 2 || (numbers[0], numbers[1]) < (22, 5) {
            bail!(
                "Node {version} には node:sqlite がありません。Node 22.5 以降を --node で指定してください"
            );
        }
        let (major, minor) = (numbers[0], numbers[1]);
        let flagged = (major == 22 && minor < 13) || (major == 23 && minor < 4);
        Ok(NodeSqlite {
            node,
            script,
            version,
            flags: if flagged {
                vec!["--experimental-sqlite"]
            } else {
                Vec::new()
            },
        })
    }

    /// 組み込まれた SQLite のバージョンと、percentile() の有無を調べます。
    pub fn info(&self) -> anyhow::Result<NodeInfo> {
        let output = Command::new(&self.node)
            .args(&self.flags)
            .arg(&self.script)
            .arg("--info")
            .output()
            .with_context(|| format!("`{}` を実行できません", self.node.display()))?;
        if !output.status.success() {
            bail!(
                "node:sqlite の情報を読めません: {}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
        let json: serde_json::Value = serde_json::from_slice(&output.stdout)
            .context("node:sqlite の情報の JSON を読めません")?;
        let stderr = String::from_utf8_lossy(&output.stderr);

        // 警告の行からはプロセス ID (`(node:1234)`) を外します。実行ごとに変わるからです。
        let warning = stderr
            .lines()
            .find(|line| line.contains("Warning"))
            .map(|line| {
                line.split_once(") ")
                    .map_or(line, |(_, rest)| rest)
                    .to_string()
            });
        Ok(NodeInfo {
            sqlite_version: json["sqlite_version"]
                .as_str()
                .unwrap_or("不明")
                .to_string(),
            has_percentile: json["percentile"].as_bool().unwrap_or(false),
            warning,
        })
    }

    /// 用意したデータベースに、スクリプトで挿入します。時間はスクリプトが挿入の部分だけを測って返します。
    pub fn run(&self, path: &Path, variant: &Variant) -> anyhow::Result<Duration> {
        let output = Command::new(&self.node)
            .args(&self.flags)
            .arg(&self.script)
            .arg(path)
            .arg(variant.rows.to_string())
            .arg(variant.batch.to_string())
            .arg(variant.journal_mode)
            .arg(variant.synchronous)
            .output()
            .with_context(|| format!("`{}` を実行できません", self.node.display()))?;
        if !output.status.success() {
            bail!(
                "node:sqlite のベンチマークが失敗しました: {}",
                String::from_utf8_lossy(&output.stderr)
            );
        }

        // スクリプトは経過時間 (ナノ秒) を 1 行で出力します。
        let text = String::from_utf8_lossy(&output.stdout);
        let nanos: u64 = text
            .trim()
            .parse()
            .with_context(|| format!("node:sqlite のベンチマークの出力 `{text}` を読めません"))?;
        Ok(Duration::from_nanos(nanos))
    }
}
