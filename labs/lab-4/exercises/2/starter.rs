//! このサービスのスキーマとマイグレーションです（演習2の対象ファイル）。

use lab_3::store::schema::Schema;

/// このサービスのストアであることを示す`PRAGMA application_id`の値です（"kar4"のASCII）。
/// 第3章のメトリクスストアとは別の値なので、`lab-3`のコマンドはこのファイルを別物として扱い、触れません。
pub const APPLICATION_ID: u32 = 0x6B61_7234;

// ANCHOR: migrations
/// 版1のスキーマです。1リクエスト1行で、ルート・ステータス・処理時間を持ちます。
#[cfg_attr(feature = "v2", allow(dead_code))]
const REQUEST_TABLE: &str = "CREATE TABLE request (
    id           INTEGER PRIMARY KEY,
    timestamp_ms INTEGER NOT NULL,
    route        TEXT NOT NULL,
    status       INTEGER NOT NULL,
    latency_us   INTEGER NOT NULL
) STRICT;
CREATE INDEX request_by_route ON request (route, timestamp_ms);";

// TODO（演習2）: 版2では、どの版のサービスが応答したか（served_by）も記録します。
// いまは版1の表の定義を書き換えただけなので、新しいストアには列がありますが、
// 版1が作ったストア（user_versionが1）はマイグレーションが走らず、列がないままです。
/// 版2の表です。
#[cfg(feature = "v2")]
const REQUEST_TABLE_V2: &str = "CREATE TABLE request (
    id           INTEGER PRIMARY KEY,
    timestamp_ms INTEGER NOT NULL,
    route        TEXT NOT NULL,
    status       INTEGER NOT NULL,
    latency_us   INTEGER NOT NULL,
    served_by    INTEGER NOT NULL DEFAULT 1
) STRICT;
CREATE INDEX request_by_route ON request (route, timestamp_ms);";

/// 版1のマイグレーションです。
#[cfg(not(feature = "v2"))]
const MIGRATIONS: &[&str] = &[REQUEST_TABLE];
/// 版2のマイグレーションです。
#[cfg(feature = "v2")]
const MIGRATIONS: &[&str] = &[REQUEST_TABLE_V2];

/// このサービスのストアの種類です。開き方は第3章の`Store::open_with`がそのまま受け持ちます。
pub const SCHEMA: Schema = Schema {
    application_id: APPLICATION_ID,
    migrations: MIGRATIONS,
};
// ANCHOR_END: migrations
