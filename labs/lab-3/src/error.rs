//! ライブラリのエラー型です。表示文は日本語で、何が・どの値で・次に何をすればよいかを示します。

use std::path::PathBuf;

/// 1 件のサンプルが受け付けられない理由です。
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SampleError {
    #[error("メトリクス名が空です。`node_load1` のような名前を指定してください。")]
    EmptyName,

    #[error(
        "メトリクス名 `{name}` は {len} バイトあり、上限の {max} バイトを超えています。短い名前にしてください。"
    )]
    NameTooLong {
        name: String,
        len: usize,
        max: usize,
    },

    #[error(
        "メトリクス名 `{name}` の {position} 文字目 `{found}` は使えません。英字・数字・`_`・`:` だけを使い、先頭は数字以外にしてください。"
    )]
    InvalidNameChar {
        name: String,
        position: usize,
        found: char,
    },

    #[error(
        "メトリクス名 `{name}` は `__` で始まっています。`__` で始まる名前は予約されているので、別の名前にしてください。"
    )]
    ReservedName { name: String },

    #[error("値 `{value}` は有限の数ではありません。NaN と ±inf は記録できません。")]
    NonFinite { value: f64 },

    #[error(
        "時刻 {timestamp_ms} ms は範囲外です。2000-01-01 から 2100-01-01 (UTC) までの時刻を指定してください。"
    )]
    TimestampOutOfRange { timestamp_ms: i64 },
}

/// ストアの操作が失敗した理由です。
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "`{path}` は SQLite データベースではありません（先頭が `SQLite format 3` ではありません）。ファイルには触れていません。--db で別のパスを指定してください。（SQLITE_NOTADB）",
        path = path.display()
    )]
    NotADatabase { path: PathBuf },

    #[error(
        "`{path}` がありません。このコマンドはストアを作りません。--db のパスを確かめるか、先に record・import・collect で記録してストアを作ってください。",
        path = path.display()
    )]
    Missing { path: PathBuf },

    #[error(
        "`{path}` は空のファイルです。ファイルには触れていません。このファイルを消すか、--db で別のパスを指定してください。",
        path = path.display()
    )]
    EmptyFile { path: PathBuf },

    #[error(
        "`{path}` は途中で切れています（{expected} バイト以上あるはずですが、ファイルは {actual} バイトです）。ファイルには触れていません。バックアップから戻すか、--db で別のパスを指定してください。（SQLITE_CORRUPT）",
        path = path.display()
    )]
    Truncated {
        path: PathBuf,
        expected: u64,
        actual: u64,
    },

    #[error(
        "`{path}` は別のアプリケーションの SQLite データベースです（application_id = {application_id:#010x}）。ファイルには触れていません。--db でメトリクスストアのパスを指定してください。",
        path = path.display()
    )]
    ForeignDatabase { path: PathBuf, application_id: u32 },

    #[error(
        "`{path}` のスキーマはバージョン {found} で、この lab-3 が扱えるのは {supported} までです。ファイルには触れていません。新しい lab-3 を使ってください。",
        path = path.display()
    )]
    SchemaTooNew {
        path: PathBuf,
        found: u32,
        supported: u32,
    },

    #[error(
        "`{path}` に書き込めません（読み取り専用の場所です）。書き込めるディレクトリを --db で指定してください。（{cause}）",
        path = path.display()
    )]
    ReadOnly {
        path: PathBuf,
        cause: std::io::Error,
    },

    #[error(
        "ディレクトリ `{dir}` がありません。先に `mkdir -p {dir}` で作るか、--db で別のパスを指定してください。",
        dir = dir.display()
    )]
    MissingDirectory { dir: PathBuf },

    #[error("`{path}` を読めません: {cause}", path = path.display())]
    Io {
        path: PathBuf,
        cause: std::io::Error,
    },

    #[error(
        "バッチの {index} 件目 (`{metric}`) を記録できません: {reason}バッチ全体を記録していません。"
    )]
    InvalidSample {
        index: usize,
        metric: String,
        reason: SampleError,
    },

    #[error("`{metric}` のサンプルを記録できません: {reason}何も記録していません。")]
    RejectedSample { metric: String, reason: SampleError },

    #[error(
        "バックアップ先の `{path}` はすでにあります。上書きはしません。別のパスを指定するか、そのファイルを移してください。",
        path = path.display()
    )]
    BackupExists { path: PathBuf },

    #[error(
        "メトリクス `{name}` はまだ記録されていません。`lab-3 query` で記録済みのメトリクスを確かめてください。"
    )]
    UnknownMetric { name: String },

    #[error("SQLite の操作「{operation}」が失敗しました。（{cause}）")]
    Sqlite {
        operation: &'static str,
        cause: rusqlite::Error,
    },
}

impl StoreError {
    /// rusqlite のエラーに、失敗した操作の名前を付けます。
    pub fn sqlite(operation: &'static str) -> impl FnOnce(rusqlite::Error) -> StoreError {
        move |cause| StoreError::Sqlite { operation, cause }
    }
}
