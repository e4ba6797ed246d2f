//! 保守の操作です: 統計、整合性チェック、オンラインバックアップ。

use std::path::Path;

use rusqlite::Connection;
use rusqlite::backup::Backup;
use serde::Serialize;

use crate::error::StoreError;
use crate::store::Store;

/// ストアの統計です。
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stats {
    pub metrics: i64,
    pub samples: i64,
    pub rollups: i64,
    pub page_size: i64,
    pub page_count: i64,
    pub freelist_count: i64,
    /// データベース本体のファイルの大きさ (バイト) です。
    pub file_bytes: u64,
    /// WAL ファイルの大きさ (バイト) です。チェックポイントの後は小さくなります。
    pub wal_bytes: u64,
    pub schema_version: i64,
}

impl Store {
    /// 行数・ページ数・ファイルの大きさを返します。
    pub fn stats(&self) -> Result<Stats, StoreError> {
        let count = |sql: &str| -> Result<i64, StoreError> {
            self.conn
                .query_row(sql, [], |row| row.get(0))
                .map_err(StoreError::sqlite("統計の読み取り"))
        };
        let wal_path = format!("{}-wal", self.path().display());
        Ok(Stats {
            metrics: count("SELECT count(*) FROM metric")?,
            samples: count("SELECT count(*) FROM sample")?,
            rollups: count("SELECT count(*) FROM rollup")?,
            page_size: count("PRAGMA page_size")?,
            page_count: count("PRAGMA page_count")?,
            freelist_count: count("PRAGMA freelist_count")?,
            file_bytes: std::fs::metadata(self.path()).map_or(0, |m| m.len()),
            wal_bytes: std::fs::metadata(wal_path).map_or(0, |m| m.len()),
            schema_version: count("PRAGMA user_version")?,
        })
    }

    /// `PRAGMA integrity_check` の結果を返します。壊れていなければ `["ok"]` の 1 行です。
    pub fn integrity_check(&self) -> Result<Vec<String>, StoreError> {
        self.conn
            .prepare("PRAGMA integrity_check")
            .and_then(|mut stmt| stmt.query_map([], |row| row.get(0))?.collect())
            .map_err(StoreError::sqlite("整合性チェック"))
    }

    // ANCHOR: backup
    /// 書き込みを止めずに、`dest` へオンラインバックアップを取ります。
    /// `dest` がすでにあれば上書きせずにエラーにします。
    pub fn backup_to(&self, dest: &Path) -> Result<(), StoreError> {
        if dest.exists() {
            return Err(StoreError::BackupExists { path: dest.into() });
        }
        let mut target =
            Connection::open(dest).map_err(StoreError::sqlite("バックアップ先を開く"))?;

        // 100 ページずつコピーし、合間にロックを手放します。途中で書き込みがあればコピーし直します。
        let backup = Backup::new(&self.conn, &mut target)
            .map_err(StoreError::sqlite("バックアップの開始"))?;
        backup
            .run_to_completion(100, std::time::Duration::from_millis(5), None)
            .map_err(StoreError::sqlite("バックアップ"))?;
        Ok(())
    }
    // ANCHOR_END: backup
}
