//! ストアを開く・作る処理です。
//!
//! 既存のファイルは、SQLite に書き込み可能で開かせる前に [`header::check_existing`] で確かめます。
//! 新しいストアは一時ファイルに作ってから、既存のファイルを上書きしない `link` で置きます。

use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

use crate::error::StoreError;
use crate::store::schema::Schema;

pub mod header;
pub mod schema;
pub mod wal;

/// 他の接続が書き込み中のとき、諦めるまで待つ時間です。
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// 1 つのデータベースファイルへの接続です。スレッドごと・プロセスごとに 1 つ開きます。
pub struct Store {
    pub(crate) conn: Connection,
    path: PathBuf,
}

impl Store {
    // ANCHOR: open
    /// `path` の種類 `schema` のストアを開きます。ファイルがなければ作ります。
    pub fn open_with(path: impl AsRef<Path>, schema: &Schema) -> Result<Store, StoreError> {
        let path = path.as_ref();

        // 既存のファイルは読むだけで検査し、なければ新しく作ります。
        match std::fs::symlink_metadata(path) {
            Ok(_) => {
                header::check_existing(path, schema)?;
            }
            Err(error) if error.kind() == ErrorKind::NotFound => create(path, schema)?,
            Err(cause) => {
                return Err(StoreError::Io {
                    path: path.into(),
                    cause,
                });
            }
        }

        // 検査を通ったファイルだけを書き込み可能で開きます。
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let mut conn = Connection::open_with_flags(path, flags)
            .map_err(|error| classify_open_error(path, error))?;
        if conn.is_readonly("main").unwrap_or(true) {
            return Err(read_only(path, None));
        }
        configure(&conn).map_err(|error| classify_open_error(path, error))?;
        schema::migrate(&mut conn, schema)?;
        Ok(Store {
            conn,
            path: path.into(),
        })
    }
    // ANCHOR_END: open

    /// `path` のメトリクスストアを開きます。ファイルがなければ作ります。
    pub fn open(path: impl AsRef<Path>) -> Result<Store, StoreError> {
        Store::open_with(path, &schema::METRICS)
    }

    /// すでにある `path` のストアを開きます。ファイルがなければ作らずに [`StoreError::Missing`] を返します。
    /// 読むだけのコマンドが、打ち間違えたパスに空のストアを作らないためです。
    pub fn open_existing(path: impl AsRef<Path>) -> Result<Store, StoreError> {
        Store::open_existing_with(path, &schema::METRICS)
    }

    /// すでにある `path` の種類 `schema` のストアを開きます。ファイルがなければ作りません。
    pub fn open_existing_with(
        path: impl AsRef<Path>,
        schema: &Schema,
    ) -> Result<Store, StoreError> {
        let path = path.as_ref();
        match std::fs::symlink_metadata(path) {
            Err(error) if error.kind() == ErrorKind::NotFound => {
                Err(StoreError::Missing { path: path.into() })
            }
            _ => Store::open_with(path, schema),
        }
    }

    /// このストアのファイルのパスです。
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// rusqlite の接続です。ライブラリにない問い合わせを試すときに使います。
    pub fn connection(&self) -> &Connection {
        &self.conn
    }

    /// SQLite への接続です (書き込み用)。第4章のサービスが自分の表に書くときに使います。
    pub fn connection_mut(&mut self) -> &mut Connection {
        &mut self.conn
    }
}

// ANCHOR: pragmas
/// 接続ごとの設定です。
fn configure(conn: &Connection) -> rusqlite::Result<()> {
    // WAL: 読み手は書き手を待たず、書き手も読み手を待ちません。コミットは WAL への追記 1 回です。
    conn.pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get::<_, String>(0))?;
    // NORMAL: WAL ではコミットごとの fsync を省き、チェックポイントでまとめて fsync します。
    // プロセスが落ちても失いませんが、電源断では最後のいくつかのコミットを失うことがあります。
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    // ロック待ちを SQLITE_BUSY として返す前に、最大 BUSY_TIMEOUT だけ待ちます。
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    Ok(())
}
// ANCHOR_END: pragmas

// ANCHOR: create
/// 新しいストアを一時ファイルに作り、完成してから `path` に置きます。
fn create(path: &Path, schema: &Schema) -> Result<(), StoreError> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    if !dir.is_dir() {
        return Err(StoreError::MissingDirectory { dir: dir.into() });
    }
    // 一時ファイルの名前は、プロセス ID と、同じプロセスの中で数える番号で重ならないようにします。
    static NEXT_TEMP: AtomicU64 = AtomicU64::new(0);
    let file_name = path.file_name().unwrap_or_default().to_string_lossy();
    let number = NEXT_TEMP.fetch_add(1, Ordering::Relaxed);
    let temp = dir.join(format!(
        ".{file_name}.{}-{number}.creating",
        std::process::id()
    ));

    // エラーには一時ファイルの名前ではなく、利用者が指定したパスを出します。
    let result = build_new(&temp, schema).map_err(|error| match error {
        StoreError::ReadOnly { cause, .. } => StoreError::ReadOnly {
            path: path.into(),
            cause,
        },
        other => other,
    });
    let result = result.and_then(|()| {
        // link は既存のファイルを上書きしません。同時に作った別プロセスがあれば、そちらを使います。
        match std::fs::hard_link(&temp, path) {
            Ok(()) => sync_dir(dir),
            Err(error) if error.kind() == ErrorKind::AlreadyExists => Ok(()),
            Err(cause) => Err(io_or_read_only(path, cause)),
        }
    });
    let _ = std::fs::remove_file(&temp);
    result
}
// ANCHOR_END: create

/// ディレクトリを fsync して、新しいディレクトリエントリを電源断の後にも残します。
#[cfg(unix)]
fn sync_dir(dir: &Path) -> Result<(), StoreError> {
    std::fs::File::open(dir)
        .and_then(|file| file.sync_all())
        .map_err(|cause| io_or_read_only(dir, cause))
}

/// Unix 以外では何もしません。Windows の `File::open` はディレクトリを開けず、
/// NTFS はディレクトリエントリの変更をメタデータのジャーナルで守るので、ここで fsync する手段も必要もありません。
#[cfg(not(unix))]
fn sync_dir(_dir: &Path) -> Result<(), StoreError> {
    Ok(())
}

/// 一時ファイルに新しいストアを作ります。ロールバックジャーナルのまま作るので、閉じた時点で全部が本体に入っています。
fn build_new(temp: &Path, schema: &Schema) -> Result<(), StoreError> {
    // 書き込めない場所なら、ここで std の open が失敗します。
    std::fs::File::create_new(temp).map_err(|cause| io_or_read_only(temp, cause))?;

    let mut conn = Connection::open(temp).map_err(StoreError::sqlite("新しいストアの作成"))?;
    conn.pragma_update(None, "application_id", schema.application_id)
        .map_err(StoreError::sqlite("application_id の設定"))?;
    schema::migrate(&mut conn, schema)?;

    // 閉じる前に fsync して、link した時点でファイルの中身が揃っているようにします。
    conn.close().map_err(|(_, error)| StoreError::Sqlite {
        operation: "新しいストアを閉じる",
        cause: error,
    })?;
    let file = std::fs::File::open(temp).map_err(|cause| io_or_read_only(temp, cause))?;
    file.sync_all()
        .map_err(|cause| io_or_read_only(temp, cause))
}

fn io_or_read_only(path: &Path, cause: std::io::Error) -> StoreError {
    match cause.kind() {
        ErrorKind::PermissionDenied | ErrorKind::ReadOnlyFilesystem => StoreError::ReadOnly {
            path: path.into(),
            cause,
        },
        _ => StoreError::Io {
            path: path.into(),
            cause,
        },
    }
}

fn read_only(path: &Path, error: Option<rusqlite::Error>) -> StoreError {
    let detail = error.map_or_else(|| "SQLITE_READONLY".to_string(), |e| e.to_string());
    StoreError::ReadOnly {
        path: path.into(),
        cause: std::io::Error::new(ErrorKind::ReadOnlyFilesystem, detail),
    }
}

/// 開くときの SQLite のエラーを、利用者が直せる形に振り分けます。
fn classify_open_error(path: &Path, error: rusqlite::Error) -> StoreError {
    use rusqlite::ErrorCode::{CannotOpen, NotADatabase, ReadOnly};
    match error.sqlite_error_code() {
        Some(ReadOnly | CannotOpen) => read_only(path, Some(error)),
        Some(NotADatabase) => StoreError::NotADatabase { path: path.into() },
        _ => StoreError::Sqlite {
            operation: "ストアを開く",
            cause: error,
        },
    }
}
