//! スキーマとマイグレーションです。スキーマのバージョンは `PRAGMA user_version` に記録します。

use rusqlite::{Connection, TransactionBehavior};

use crate::error::StoreError;

/// このストアのファイルであることを示す `PRAGMA application_id` の値です ("karu" の ASCII)。
pub const APPLICATION_ID: u32 = 0x6B61_7275;

// ANCHOR: migrations
/// マイグレーションの一覧です。`MIGRATIONS[i]` はスキーマをバージョン i から i+1 に上げます。
/// 公開したバージョンは書き換えず、変更は新しい要素として末尾に足します。
pub const MIGRATIONS: &[&str] = &[
    // バージョン 1: メトリクス名の表と、サンプルの表です。
    // サンプルは (metric_id, timestamp_ms) を主キーにした WITHOUT ROWID 表にして、
    // 「あるメトリクスのある時間範囲」を 1 本の B-tree の連続した範囲として読めるようにします。
    "CREATE TABLE metric (
        id   INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE
    ) STRICT;
    CREATE TABLE sample (
        metric_id    INTEGER NOT NULL REFERENCES metric (id),
        timestamp_ms INTEGER NOT NULL,
        value        REAL NOT NULL,
        PRIMARY KEY (metric_id, timestamp_ms)
    ) STRICT, WITHOUT ROWID;",
    // バージョン 2: 1 分と 1 時間のロールアップです。sum を持つので平均は sum / count で出せます。
    "CREATE TABLE rollup (
        metric_id INTEGER NOT NULL REFERENCES metric (id),
        width_s   INTEGER NOT NULL CHECK (width_s IN (60, 3600)),
        start_ms  INTEGER NOT NULL,
        count     INTEGER NOT NULL,
        min       REAL NOT NULL,
        max       REAL NOT NULL,
        sum       REAL NOT NULL,
        PRIMARY KEY (metric_id, width_s, start_ms)
    ) STRICT, WITHOUT ROWID;",
    // バージョン 3: 保持期間の水位線です。この時刻より前のバケットは prune が集計を済ませてから生のサンプルを消したので、
    // ロールアップの値は確定済みです。rollup はこの時刻より前を集計し直しません。行は 1 行だけです。
    "CREATE TABLE retention (
        id              INTEGER PRIMARY KEY CHECK (id = 1),
        final_before_ms INTEGER NOT NULL
    ) STRICT;",
];
// ANCHOR_END: migrations

/// このビルドが扱える最新のスキーマのバージョンです。
pub const LATEST_VERSION: u32 = MIGRATIONS.len() as u32;

/// ストアの種類です。`application_id` で自分のファイルかを見分け、`migrations` でスキーマを作ります。
/// 第4章のサービスは、このストアのマイグレーションに自分の表を足した別の種類を使います。
#[derive(Debug, Clone, Copy)]
pub struct Schema {
    pub application_id: u32,
    pub migrations: &'static [&'static str],
}

impl Schema {
    /// この種類の最新のスキーマのバージョンです。
    pub const fn latest_version(&self) -> u32 {
        self.migrations.len() as u32
    }
}

/// このラボのメトリクスストアです。
pub const METRICS: Schema = Schema {
    application_id: APPLICATION_ID,
    migrations: MIGRATIONS,
};

// ANCHOR: migrate
/// 足りないマイグレーションを 1 つのトランザクションで適用し、適用後のバージョンを返します。
pub fn migrate(conn: &mut Connection, schema: &Schema) -> Result<u32, StoreError> {
    let latest = schema.latest_version();
    // 最新なら書き込みロックを取らずに戻ります。読み手が開くたびに書き手を待たないためです。
    let version: u32 = conn
        .pragma_query_value(None, "user_version", |row| row.get(0))
        .map_err(StoreError::sqlite("user_version の読み取り"))?;
    if version >= latest {
        return Ok(version);
    }

    // IMMEDIATE で書き込みロックを先に取り、別プロセスと同時に同じバージョンを適用しないようにします。
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(StoreError::sqlite("マイグレーションの開始"))?;
    let current: u32 = tx
        .pragma_query_value(None, "user_version", |row| row.get(0))
        .map_err(StoreError::sqlite("user_version の読み取り"))?;

    if current >= latest {
        return Ok(current);
    }

    // バージョン current 以降のマイグレーションを順に流します。
    for sql in schema.migrations.iter().skip(current as usize) {
        tx.execute_batch(sql)
            .map_err(StoreError::sqlite("マイグレーションの適用"))?;
    }
    tx.pragma_update(None, "user_version", latest)
        .map_err(StoreError::sqlite("user_version の更新"))?;

    tx.commit()
        .map_err(StoreError::sqlite("マイグレーションのコミット"))?;
    Ok(latest)
}
// ANCHOR_END: migrate

/// `sqlite_schema` の SQL を、作られた順に並べて返します (スナップショットテスト用)。
pub fn dump(conn: &Connection) -> Result<String, StoreError> {
    let mut stmt = conn
        .prepare("SELECT sql FROM sqlite_schema WHERE sql IS NOT NULL ORDER BY rowid")
        .map_err(StoreError::sqlite("スキーマの読み取り"))?;
    let rows = stmt
        .query_map([], |row| row.get::<_, String>(0))
        .map_err(StoreError::sqlite("スキーマの読み取り"))?;
    let mut out = String::new();
    for sql in rows {
        out.push_str(&sql.map_err(StoreError::sqlite("スキーマの読み取り"))?);
        out.push_str(";\n");
    }
    Ok(out)
}
