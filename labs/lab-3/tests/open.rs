//! 開けないファイルの仕様です。どの場合もエラーはパスと直し方を示し、ファイルはバイト単位で元のままです。

mod common;

use std::path::Path;
#[cfg(target_os = "linux")]
use std::process::Command;

use lab_3::store::schema::APPLICATION_ID;
use lab_3::{Sample, Store, StoreError};

/// 正しいストアを作り、チェックポイントして WAL を本体に書き戻した状態で閉じます。
fn make_store(path: &Path) {
    let mut store = Store::open(path).unwrap();
    let t = common::ms(common::FROM);
    let batch: Vec<Sample> = (0..2000)
        .map(|i| Sample::new("node_load1", t + i * 1000, i as f64))
        .collect();
    store.record_batch(&batch).unwrap();
    store
        .connection()
        .execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")
        .unwrap();
}

/// `bytes` を書いたファイルを開き、エラーを返します。ファイルが変わっていないことも確かめます。
fn open_rejects(bytes: &[u8]) -> (StoreError, bool) {
    let temp = common::temp_store();
    std::fs::write(&temp.path, bytes).unwrap();
    let error = Store::open(&temp.path).err().expect("開けないはずです");
    let unchanged = std::fs::read(&temp.path).unwrap() == bytes;
    (error, unchanged)
}

/// ディレクトリの中に、開いたときにできるファイル (-wal, -shm, -journal) が増えていないことを確かめます。
fn only_file_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn text_file_is_not_a_database() {
    let (error, unchanged) = open_rejects(b"node_load1,2026-12-04T10:00:00+09:00,0.5\n");
    assert!(matches!(error, StoreError::NotADatabase { .. }), "{error}");
    assert!(unchanged, "ファイルが変わりました");
}

#[test]
fn empty_file_is_rejected() {
    let (error, unchanged) = open_rejects(b"");
    assert!(matches!(error, StoreError::EmptyFile { .. }), "{error}");
    assert!(unchanged, "ファイルが変わりました");
}

#[test]
fn truncated_database_is_rejected() {
    let temp = common::temp_store();
    make_store(&temp.path);
    let full = std::fs::read(&temp.path).unwrap();
    let (error, unchanged) = open_rejects(&full[..full.len() / 2]);
    assert!(matches!(error, StoreError::Truncated { .. }), "{error}");
    assert!(unchanged, "ファイルが変わりました");
}

#[test]
fn truncated_header_is_rejected() {
    let (error, unchanged) = open_rejects(b"SQLite format 3\0\x10\x00");
    assert!(matches!(error, StoreError::Truncated { .. }), "{error}");
    assert!(unchanged, "ファイルが変わりました");
}

/// チェックポイント済みの本体のコピーと、その後の書き込みが入った WAL のコピーを `dir` に作ります。
/// WAL は接続を開いたまま写します。閉じると SQLite が本体に書き戻して消すからです。
fn store_with_wal(dir: &Path) -> (Vec<u8>, Vec<u8>) {
    let source = dir.join("source.db");
    make_store(&source);
    let body = std::fs::read(&source).unwrap();

    let mut store = Store::open(&source).unwrap();
    store
        .connection()
        .pragma_update(None, "wal_autocheckpoint", 0)
        .unwrap();
    let t = common::ms(common::TO);
    let batch: Vec<Sample> = (0..50)
        .map(|i| Sample::new("node_load5", t + i * 1000, i as f64))
        .collect();
    store.record_batch(&batch).unwrap();
    let wal = std::fs::read(dir.join("source.db-wal")).unwrap();
    (body, wal)
}

#[test]
fn truncated_database_with_wal_is_rejected() {
    // 本体を 8192 バイトに切り、正しい WAL を隣に置きます。WAL が持たないページが本体から欠けています。
    let temp = common::temp_store();
    let (body, wal) = store_with_wal(temp.dir.path());
    let wal_path = temp.dir.path().join("metrics.db-wal");
    std::fs::write(&temp.path, &body[..8192]).unwrap();
    std::fs::write(&wal_path, &wal).unwrap();

    let error = Store::open(&temp.path).err().expect("開けないはずです");
    assert!(matches!(error, StoreError::Truncated { .. }), "{error}");
    assert_eq!(
        std::fs::read(&temp.path).unwrap(),
        &body[..8192],
        "本体が変わりました"
    );
    assert_eq!(std::fs::read(&wal_path).unwrap(), wal, "WAL が変わりました");
}

#[test]
fn database_with_wal_opens() {
    // 切れていない本体と WAL の組は開け、WAL の中のコミットも読めます。
    let temp = common::temp_store();
    let (body, wal) = store_with_wal(temp.dir.path());
    std::fs::write(&temp.path, &body).unwrap();
    std::fs::write(temp.dir.path().join("metrics.db-wal"), &wal).unwrap();
    let store = Store::open(&temp.path).unwrap();
    assert_eq!(store.stats().unwrap().samples, 2050);
}

#[test]
fn wal_reader_finds_last_commit() {
    let temp = common::temp_store();
    let (body, wal) = store_with_wal(temp.dir.path());
    std::fs::write(&temp.path, &body).unwrap();
    std::fs::write(temp.dir.path().join("metrics.db-wal"), &wal).unwrap();
    let contents = lab_3::store::wal::read_committed(&temp.path, 4096).expect("コミットがあります");
    let source = Store::open(temp.dir.path().join("source.db")).unwrap();
    let pages: u32 = source
        .connection()
        .pragma_query_value(None, "page_count", |row| row.get(0))
        .unwrap();
    assert_eq!(contents.db_pages, pages);
}

#[test]
fn foreign_sqlite_database_is_rejected() {
    // application_id のない (0 の) 普通の SQLite データベースです。
    let temp = common::temp_store();
    let other = temp.dir.path().join("other.db");
    let conn = rusqlite::Connection::open(&other).unwrap();
    conn.execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);")
        .unwrap();
    drop(conn);
    let (error, unchanged) = open_rejects(&std::fs::read(&other).unwrap());
    assert!(
        matches!(
            error,
            StoreError::ForeignDatabase {
                application_id: 0,
                ..
            }
        ),
        "{error}"
    );
    assert!(unchanged, "ファイルが変わりました");
}

#[test]
fn newer_schema_is_rejected() {
    let temp = common::temp_store();
    let newer = temp.dir.path().join("newer.db");
    let conn = rusqlite::Connection::open(&newer).unwrap();
    conn.pragma_update(None, "application_id", APPLICATION_ID)
        .unwrap();
    conn.pragma_update(None, "user_version", 99).unwrap();
    drop(conn);
    let (error, unchanged) = open_rejects(&std::fs::read(&newer).unwrap());
    assert!(
        matches!(error, StoreError::SchemaTooNew { found: 99, .. }),
        "{error}"
    );
    assert!(unchanged, "ファイルが変わりました");
}

#[test]
fn rejected_file_leaves_no_side_files() {
    let temp = common::temp_store();
    std::fs::write(&temp.path, b"not a database").unwrap();
    let _ = Store::open(&temp.path);
    assert_eq!(only_file_in(temp.dir.path()), ["metrics.db"]);
}

#[test]
fn missing_directory_is_named() {
    let temp = common::temp_store();
    let path = temp.dir.path().join("no/such/dir/metrics.db");
    let error = Store::open(&path).err().expect("開けないはずです");
    assert!(
        matches!(error, StoreError::MissingDirectory { .. }),
        "{error}"
    );
}

/// 読み取り専用の bind mount の中で `lab-3` を実行します。root でも書けない場所を作るためです。
/// `unshare` と bind mount は Linux にしかないので、このテストは Linux でだけビルドします。
/// macOS と Windows では、読み取り専用の場所の扱いはこの 2 つのテストでは確かめていません。
#[cfg(target_os = "linux")]
fn lab3_in_read_only_dir(dir: &Path, args: &str) -> std::process::Output {
    let script = format!(
        "mount --bind -o ro {dir} {dir} && exec env TZ={tz} {bin} --db {dir}/metrics.db {args}",
        dir = dir.display(),
        tz = common::TZ,
        bin = env!("CARGO_BIN_EXE_lab-3"),
    );
    let output = Command::new("unshare")
        .args(["--map-root-user", "--mount", "sh", "-c", &script])
        .output()
        .expect("unshare を実行できません。util-linux を入れてください: sudo apt-get install util-linux");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        !stderr.contains("mount:") && !stderr.contains("unshare:"),
        "読み取り専用の bind mount を作れません。ユーザー名前空間を有効にしてください (sudo sysctl -w kernel.unprivileged_userns_clone=1): {stderr}"
    );
    output
}

#[cfg(target_os = "linux")]
#[test]
fn read_only_location_existing_store() {
    let temp = common::temp_store();
    make_store(&temp.path);
    let before = std::fs::read(&temp.path).unwrap();

    let output = lab3_in_read_only_dir(temp.dir.path(), "record node_load1 1.5");
    let stderr = String::from_utf8_lossy(&output.stderr)
        .replace(&temp.dir.path().display().to_string(), "[DIR]");
    book_snapshot!("read_only_existing", stderr);
    assert_eq!(
        std::fs::read(&temp.path).unwrap(),
        before,
        "ファイルが変わりました"
    );
}

#[cfg(target_os = "linux")]
#[test]
fn read_only_location_new_store() {
    let temp = common::temp_store();
    let output = lab3_in_read_only_dir(temp.dir.path(), "record node_load1 1.5");
    let stderr = String::from_utf8_lossy(&output.stderr)
        .replace(&temp.dir.path().display().to_string(), "[DIR]");
    book_snapshot!("read_only_new", stderr);
    assert!(!temp.path.exists(), "ファイルができました");
}
