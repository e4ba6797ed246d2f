//! スキーマとマイグレーションの仕様です。

mod common;

use lab_3::store::schema::{self, APPLICATION_ID, LATEST_VERSION};

#[test]
fn schema_after_migrations() {
    let temp = common::temp_store();
    let store = lab_3::Store::open(&temp.path).unwrap();
    let dump = schema::dump(store.connection()).unwrap();
    book_snapshot!("schema", dump);
}

#[test]
fn user_version_is_latest() {
    let temp = common::temp_store();
    let store = lab_3::Store::open(&temp.path).unwrap();
    let version: u32 = store
        .connection()
        .pragma_query_value(None, "user_version", |row| row.get(0))
        .unwrap();
    assert_eq!(version, LATEST_VERSION);
}

#[test]
fn application_id_is_set() {
    let temp = common::temp_store();
    let store = lab_3::Store::open(&temp.path).unwrap();
    let id: u32 = store
        .connection()
        .pragma_query_value(None, "application_id", |row| row.get(0))
        .unwrap();
    assert_eq!(id, APPLICATION_ID);
}

#[test]
fn pragmas_wal_normal_busy_timeout() {
    let temp = common::temp_store();
    let store = lab_3::Store::open(&temp.path).unwrap();
    let conn = store.connection();
    let journal: String = conn
        .pragma_query_value(None, "journal_mode", |r| r.get(0))
        .unwrap();
    let synchronous: i64 = conn
        .pragma_query_value(None, "synchronous", |r| r.get(0))
        .unwrap();
    let timeout: i64 = conn
        .pragma_query_value(None, "busy_timeout", |r| r.get(0))
        .unwrap();
    assert_eq!(journal, "wal");
    assert_eq!(synchronous, 1, "synchronous=NORMAL は 1 です");
    assert_eq!(timeout, 5000);
}

#[test]
fn migrate_from_version_1() {
    // バージョン 1 のファイルを作り、開いたときに最新のバージョンへ上がることを確かめます。
    let temp = common::temp_store();
    {
        let conn = rusqlite::Connection::open(&temp.path).unwrap();
        conn.pragma_update(None, "application_id", APPLICATION_ID)
            .unwrap();
        conn.execute_batch(schema::MIGRATIONS[0]).unwrap();
        conn.pragma_update(None, "user_version", 1).unwrap();
    }
    let store = lab_3::Store::open(&temp.path).unwrap();
    let version: u32 = store
        .connection()
        .pragma_query_value(None, "user_version", |row| row.get(0))
        .unwrap();
    assert_eq!(version, schema::LATEST_VERSION);
}

#[test]
fn reopen_keeps_samples() {
    let temp = common::temp_store();
    let sample = lab_3::Sample::new("node_load1", common::ms(common::FROM), 0.5);
    lab_3::Store::open(&temp.path)
        .unwrap()
        .record(&sample)
        .unwrap();
    let store = lab_3::Store::open(&temp.path).unwrap();
    assert_eq!(store.stats().unwrap().samples, 1);
}

#[test]
fn create_from_two_threads_at_once() {
    // 同じ新しいパスを 2 つのスレッドが同時に開いても、どちらも同じストアを使えます。
    let temp = common::temp_store();
    let handles: Vec<_> = (0..2)
        .map(|_| {
            let path = temp.path.clone();
            std::thread::spawn(move || lab_3::Store::open(&path).map(|_| ()))
        })
        .collect();
    for handle in handles {
        let result = handle.join().unwrap();
        assert!(result.is_ok(), "{result:?}");
    }
    let leftovers: Vec<_> = std::fs::read_dir(temp.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".creating"))
        .collect();
    assert_eq!(leftovers, Vec::<String>::new());
}
