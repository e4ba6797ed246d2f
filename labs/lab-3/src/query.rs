//! 問い合わせです: メトリクスごとの最新値、時間範囲、バケットごとの集計、パーセンタイル。
//!
//! 読み取りは遅延 (DEFERRED) トランザクションで行います。WAL では読み手は 1 つのスナップショットを見続け、
//! 書き手を待つことも待たせることもありません。

use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use crate::error::StoreError;
use crate::rollup::Width;
use crate::store::Store;

mod percentile;
pub use percentile::percentile;

/// メトリクスごとの最新のサンプルです。
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Latest {
    pub metric: String,
    pub timestamp_ms: i64,
    pub value: f64,
}

/// 時系列の 1 点です。
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Point {
    pub timestamp_ms: i64,
    pub value: f64,
}

/// 1 つのバケット (`start_ms` から幅 1 つ分) の集計です。
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Bucket {
    pub start_ms: i64,
    pub count: i64,
    pub min: f64,
    pub max: f64,
    pub avg: f64,
}

/// 時間窓の中の要約統計です。
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    pub metric: String,
    pub count: u64,
    pub min: f64,
    pub max: f64,
    pub avg: f64,
    pub p50: f64,
    pub p95: f64,
    pub p99: f64,
}

impl Store {
    /// メトリクスごとの最新のサンプルを、名前の順に返します。
    pub fn latest(&self) -> Result<Vec<Latest>, StoreError> {
        // 主キー (metric_id, timestamp_ms) で各メトリクスの末尾を引くだけなので、サンプルが増えても時間はほとんど変わりません。
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT m.name, s.timestamp_ms, s.value
                 FROM metric AS m
                 JOIN sample AS s ON s.metric_id = m.id
                  AND s.timestamp_ms = (SELECT max(timestamp_ms) FROM sample WHERE metric_id = m.id)
                 ORDER BY m.name",
            )
            .map_err(StoreError::sqlite("最新値の問い合わせ"))?;
        let rows = stmt
            .query_map([], |row| {
                Ok(Latest {
                    metric: row.get(0)?,
                    timestamp_ms: row.get(1)?,
                    value: row.get(2)?,
                })
            })
            .map_err(StoreError::sqlite("最新値の問い合わせ"))?;
        rows.collect::<Result<_, _>>()
            .map_err(StoreError::sqlite("最新値の問い合わせ"))
    }

    /// `metric` の `[from_ms, to_ms)` のサンプルを時刻の順に返します。
    pub fn range(&self, metric: &str, from_ms: i64, to_ms: i64) -> Result<Vec<Point>, StoreError> {
        let id = self.require_metric(metric)?;
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT timestamp_ms, value FROM sample
                 WHERE metric_id = ?1 AND timestamp_ms >= ?2 AND timestamp_ms < ?3
                 ORDER BY timestamp_ms",
            )
            .map_err(StoreError::sqlite("範囲の問い合わせ"))?;
        let rows = stmt
            .query_map(params![id, from_ms, to_ms], |row| {
                Ok(Point {
                    timestamp_ms: row.get(0)?,
                    value: row.get(1)?,
                })
            })
            .map_err(StoreError::sqlite("範囲の問い合わせ"))?;
        rows.collect::<Result<_, _>>()
            .map_err(StoreError::sqlite("範囲の問い合わせ"))
    }

    // ANCHOR: buckets
    /// `[from_ms, to_ms)` を幅 `width_ms` のバケットに分け、サンプルのあるバケットごとに集計します。
    /// バケットの境界は Unix エポックから数えた `width_ms` の倍数です。
    pub fn buckets(
        &self,
        metric: &str,
        from_ms: i64,
        to_ms: i64,
        width_ms: i64,
    ) -> Result<Vec<Bucket>, StoreError> {
        let id = self.require_metric(metric)?;
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT timestamp_ms / ?4 * ?4 AS start_ms, count(*), min(value), max(value), avg(value)
                 FROM sample
                 WHERE metric_id = ?1 AND timestamp_ms >= ?2 AND timestamp_ms < ?3
                 GROUP BY start_ms ORDER BY start_ms",
            )
            .map_err(StoreError::sqlite("バケット集計"))?;
        let rows = stmt
            .query_map(params![id, from_ms, to_ms, width_ms.max(1)], |row| {
                Ok(Bucket {
                    start_ms: row.get(0)?,
                    count: row.get(1)?,
                    min: row.get(2)?,
                    max: row.get(3)?,
                    avg: row.get(4)?,
                })
            })
            .map_err(StoreError::sqlite("バケット集計"))?;
        rows.collect::<Result<_, _>>()
            .map_err(StoreError::sqlite("バケット集計"))
    }
    // ANCHOR_END: buckets

    // ANCHOR: rolled_up
    /// `rollup` 表に保存した幅 `width` のバケットのうち、始まりが `[from_ms, to_ms)` に入るものを返します。
    /// prune で生のサンプルを消した期間も、ここから読めます。
    pub fn rolled_up(
        &self,
        metric: &str,
        width: Width,
        from_ms: i64,
        to_ms: i64,
    ) -> Result<Vec<Bucket>, StoreError> {
        let id = self.require_metric(metric)?;
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT start_ms, count, min, max, sum / count FROM rollup
                 WHERE metric_id = ?1 AND width_s = ?2 AND start_ms >= ?3 AND start_ms < ?4
                 ORDER BY start_ms",
            )
            .map_err(StoreError::sqlite("ロールアップの問い合わせ"))?;
        let rows = stmt
            .query_map(params![id, width.seconds(), from_ms, to_ms], |row| {
                Ok(Bucket {
                    start_ms: row.get(0)?,
                    count: row.get(1)?,
                    min: row.get(2)?,
                    max: row.get(3)?,
                    avg: row.get(4)?,
                })
            })
            .map_err(StoreError::sqlite("ロールアップの問い合わせ"))?;
        rows.collect::<Result<_, _>>()
            .map_err(StoreError::sqlite("ロールアップの問い合わせ"))
    }
    // ANCHOR_END: rolled_up

    // ANCHOR: summary
    /// `[from_ms, to_ms)` の件数・最小・最大・平均と p50/p95/p99 を返します。サンプルがなければ `None` です。
    pub fn summary(
        &self,
        metric: &str,
        from_ms: i64,
        to_ms: i64,
    ) -> Result<Option<Summary>, StoreError> {
        let id = self.require_metric(metric)?;

        // 集計と並べ替えを同じスナップショットで読むため、1 つの読み取りトランザクションにします。
        let tx = self
            .conn
            .unchecked_transaction()
            .map_err(StoreError::sqlite("読み取りトランザクションの開始"))?;
        let mut stmt = tx
            .prepare_cached(
                "SELECT value FROM sample
                 WHERE metric_id = ?1 AND timestamp_ms >= ?2 AND timestamp_ms < ?3
                 ORDER BY value",
            )
            .map_err(StoreError::sqlite("パーセンタイルの問い合わせ"))?;

        // SQLite の percentile() は SQLITE_ENABLE_PERCENTILE を付けてビルドしたときだけ使えます。
        // bundled の既定では無効なので、SQLite に値の順で並べさせ、順位は Rust で選びます。
        let sorted: Vec<f64> = stmt
            .query_map(params![id, from_ms, to_ms], |row| row.get(0))
            .and_then(|rows| rows.collect())
            .map_err(StoreError::sqlite("パーセンタイルの問い合わせ"))?;
        let (Some(&min), Some(&max)) = (sorted.first(), sorted.last()) else {
            return Ok(None);
        };
        let sum: f64 = sorted.iter().sum();

        Ok(Some(Summary {
            metric: metric.to_string(),
            count: sorted.len() as u64,
            min,
            max,
            avg: sum / sorted.len() as f64,
            p50: percentile(&sorted, 50.0).unwrap_or(min),
            p95: percentile(&sorted, 95.0).unwrap_or(max),
            p99: percentile(&sorted, 99.0).unwrap_or(max),
        }))
    }
    // ANCHOR_END: summary

    /// メトリクス名の id を返します。記録されていなければ [`StoreError::UnknownMetric`] です。
    pub(crate) fn require_metric(&self, name: &str) -> Result<i64, StoreError> {
        self.conn
            .prepare_cached("SELECT id FROM metric WHERE name = ?1")
            .and_then(|mut stmt| stmt.query_row([name], |row| row.get(0)).optional())
            .map_err(StoreError::sqlite("メトリクスの検索"))?
            .ok_or_else(|| StoreError::UnknownMetric {
                name: name.to_string(),
            })
    }
}
