//! リクエストの記録: 第3章のストアの開き方（検査してから開く、WAL、マイグレーション）に、このサービスの表を載せます。

use std::path::Path;

use lab_3::Store;
use rusqlite::params;
use serde::Serialize;

use crate::VERSION;
use crate::schema::SCHEMA;

/// 1リクエストの記録です。
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RequestRecord {
    pub timestamp_ms: i64,
    /// `/health`、`/metrics`、それ以外は`other`です（ラベルの種類を増やしすぎないためです）。
    pub route: &'static str,
    pub status: u16,
    pub latency_us: u64,
}

/// ルートの名前を、記録に使う決まった値のどれかにします。
pub fn route_label(path: &str) -> &'static str {
    match path {
        "/health" => "/health",
        "/metrics" => "/metrics",
        _ => "other",
    }
}

/// リクエストの記録を読み書きするストアです。
pub struct RequestLog {
    store: Store,
}

impl RequestLog {
    /// `path`のストアを開きます。なければ作り、古いスキーマならこの版まで上げます。
    pub fn open(path: &Path) -> Result<RequestLog, lab_3::StoreError> {
        Ok(RequestLog {
            store: Store::open_with(path, &SCHEMA)?,
        })
    }

    /// すでにある`path`のストアを開きます。なければ作らずにエラーを返します。
    pub fn open_existing(path: &Path) -> Result<RequestLog, lab_3::StoreError> {
        Ok(RequestLog {
            store: Store::open_existing_with(path, &SCHEMA)?,
        })
    }

    /// スキーマのバージョン（`PRAGMA user_version`）です。
    pub fn schema_version(&self) -> rusqlite::Result<u32> {
        self.store
            .connection()
            .pragma_query_value(None, "user_version", |row| row.get(0))
    }

    // ANCHOR: record
    /// まとめて1つのトランザクションで書きます。コミット1回ぶんの時間で、何百行でも書けます。
    pub fn record_batch(&mut self, records: &[RequestRecord]) -> rusqlite::Result<()> {
        let tx = self.store.connection_mut().transaction()?;
        {
            #[cfg(not(feature = "v2"))]
            let mut insert = tx.prepare_cached(
                "INSERT INTO request (timestamp_ms, route, status, latency_us) VALUES (?1, ?2, ?3, ?4)",
            )?;
            #[cfg(feature = "v2")]
            let mut insert = tx.prepare_cached(
                "INSERT INTO request (timestamp_ms, route, status, latency_us, served_by) VALUES (?1, ?2, ?3, ?4, ?5)",
            )?;
            for r in records {
                let latency = i64::try_from(r.latency_us).unwrap_or(i64::MAX);
                #[cfg(not(feature = "v2"))]
                insert.execute(params![r.timestamp_ms, r.route, r.status, latency])?;
                #[cfg(feature = "v2")]
                insert.execute(params![r.timestamp_ms, r.route, r.status, latency, VERSION])?;
            }
        }
        tx.commit()
    }
    // ANCHOR_END: record

    /// ルートとステータスごとの件数と処理時間です。`since_ms`以降の行から処理時間の分位数を求めます。
    pub fn summary(&self, since_ms: i64) -> rusqlite::Result<Summary> {
        let conn = self.store.connection();
        let mut counts = Vec::new();
        let mut stmt = conn.prepare_cached(
            "SELECT route, status, count(*), sum(latency_us) FROM request GROUP BY route, status ORDER BY route, status",
        )?;
        let rows = stmt.query_map([], |row| {
            Ok(RouteCount {
                route: row.get(0)?,
                status: row.get(1)?,
                count: row.get(2)?,
                latency_sum_us: row.get(3)?,
            })
        })?;
        for row in rows {
            counts.push(row?);
        }

        let mut latencies = Vec::new();
        for route in ["/health", "/metrics", "other"] {
            let mut stmt = conn.prepare_cached(
                "SELECT latency_us FROM request WHERE route = ?1 AND timestamp_ms >= ?2 ORDER BY latency_us",
            )?;
            let sorted: Vec<f64> = stmt
                .query_map(params![route, since_ms], |row| row.get::<_, i64>(0))?
                .map(|value| value.map(|us| us as f64))
                .collect::<rusqlite::Result<_>>()?;
            if sorted.is_empty() {
                continue;
            }
            let quantile = |p: f64| lab_3::query::percentile(&sorted, p).unwrap_or(0.0);
            latencies.push(RouteLatency {
                route: route.to_owned(),
                samples: sorted.len() as u64,
                p50_us: quantile(50.0),
                p90_us: quantile(90.0),
                p99_us: quantile(99.0),
            });
        }

        Ok(Summary {
            version: VERSION,
            schema_version: self.schema_version()?,
            since_ms,
            counts,
            latencies,
            served_by: self.served_by()?,
        })
    }

    /// 応答した版ごとの行数です。版1のスキーマには列がないので、すべて版1の行です。
    pub fn served_by(&self) -> rusqlite::Result<Vec<VersionCount>> {
        let conn = self.store.connection();
        let sql = if has_served_by(conn)? {
            "SELECT served_by, route, count(*) FROM request GROUP BY served_by, route ORDER BY served_by, route"
        } else {
            "SELECT 1, route, count(*) FROM request GROUP BY route ORDER BY route"
        };
        let mut stmt = conn.prepare(sql)?;
        let rows = stmt.query_map([], |row| {
            Ok(VersionCount {
                served_by: row.get(0)?,
                route: row.get(1)?,
                count: row.get(2)?,
            })
        })?;
        rows.collect()
    }
}

/// ルートとステータスごとの件数です。
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RouteCount {
    pub route: String,
    pub status: u16,
    pub count: i64,
    pub latency_sum_us: i64,
}

/// ルートごとの処理時間の分位数（マイクロ秒、最近傍順位法）です。
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RouteLatency {
    pub route: String,
    pub samples: u64,
    pub p50_us: f64,
    pub p90_us: f64,
    pub p99_us: f64,
}

/// 応答した版とルートごとの行数です。
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VersionCount {
    pub served_by: u32,
    pub route: String,
    pub count: i64,
}

/// `/metrics`が返す要約です。
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    /// 応答したサービスの版です。
    pub version: u32,
    pub schema_version: u32,
    /// 分位数を求めた範囲の始まり（Unixエポックからのミリ秒）です。
    pub since_ms: i64,
    pub counts: Vec<RouteCount>,
    pub latencies: Vec<RouteLatency>,
    pub served_by: Vec<VersionCount>,
}

/// `request`表に版2の`served_by`列があるかを返します。
pub fn has_served_by(conn: &rusqlite::Connection) -> rusqlite::Result<bool> {
    conn.query_row(
        "SELECT count(*) > 0 FROM pragma_table_info('request') WHERE name = 'served_by'",
        [],
        |row| row.get(0),
    )
}
