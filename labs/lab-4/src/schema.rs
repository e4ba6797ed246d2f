//! このサービスのスキーマとマイグレーションです（演習2の対象ファイル）。

use lab_3::store::schema::Schema;

/// このサービスのストアであることを示す`PRAGMA application_id`の値です（"kar4"のASCII）。
/// 第3章のメトリクスストアとは別の値なので、`lab-3`のコマンドはこのファイルを別物として扱い、触れません。
pub const APPLICATION_ID: u32 = 0x6B61_7234;

// ANCHOR: migrations
/// 版1のスキーマです。1リクエスト1行で、ルート・ステータス・処理時間を持ちます。
const REQUEST_TABLE: &str = "CREATE TABLE request (
    id           INTEGER PRIMARY KEY,
    timestamp_ms INTEGER NOT NULL,
    route        TEXT NOT NULL,
    status       INTEGER NOT NULL,
    latency_us   INTEGER NOT NULL
) STRICT;
CREATE INDEX request_by_route ON request (route, timestamp_ms);";

/// 版2で足す列です。どの版のサービスが応答したかを記録します。
/// それまでの行はすべて版1が書いたので、既定値の1がそのまま正しい値になります。
/// `ALTER TABLE ... ADD COLUMN`は表を書き直さないので、行数によらずすぐに終わります。
#[cfg(feature = "v2")]
const SERVED_BY_COLUMN: &str =
    "ALTER TABLE request ADD COLUMN served_by INTEGER NOT NULL DEFAULT 1;";

/// 版1のマイグレーションです。
#[cfg(not(feature = "v2"))]
const MIGRATIONS: &[&str] = &[REQUEST_TABLE];
/// 版2のマイグレーションです。版1の要素は書き換えず、末尾に足します。
#[cfg(feature = "v2")]
const MIGRATIONS: &[&str] = &[REQUEST_TABLE, SERVED_BY_COLUMN];

/// このサービスのストアの種類です。開き方は第3章の`Store::open_with`がそのまま受け持ちます。
pub const SCHEMA: Schema = Schema {
    application_id: APPLICATION_ID,
    migrations: MIGRATIONS,
};
// ANCHOR_END: migrations
