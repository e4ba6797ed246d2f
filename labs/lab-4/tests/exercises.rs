//! 演習のテストです。`./scripts/exercise.sh start 4 K`で出発点のコードに替えると失敗し、解けば通ります。

mod common;

use std::collections::BTreeMap;

use common::{send_health, start};
use lab_1::upgrade::load::http_get_with_head;
use lab_4::deploy::count_rows;
use lab_4::service::DB_FILE;

#[test]
fn exercise_1_stop_writes_every_record() {
    let state = tempfile::tempdir().unwrap();
    let svc = start(1, state.path());
    send_health(&svc, 300);
    let (status, log) = svc.stop();
    assert!(status.success(), "{status}: {log}");
    assert!(log.contains("記録を書き終えて終了します"), "{log}");

    // 起動を待つ間の/health 1件と、送った300件です。
    let (rows, schema) = count_rows(&state.path().join(DB_FILE)).unwrap();
    assert_eq!(
        rows,
        BTreeMap::from([(1, 301)]),
        "版ごとの/healthの行数（起動を待つ間の1件と、送った300件）"
    );
    assert_eq!(schema, 1);
}

#[test]
fn exercise_2_v2_keeps_v1_rows() {
    let state = tempfile::tempdir().unwrap();
    let v1 = start(1, state.path());
    send_health(&v1, 100);
    assert!(v1.stop().0.success());

    // 同じディレクトリで版2を起動すると、スキーマを2に上げてから答えます。
    let v2 = start(2, state.path());
    let (head, _) = http_get_with_head(v2.address, "/health").unwrap();
    assert!(head.contains("\r\nx-karui-version: 2"), "{head}");
    send_health(&v2, 50);
    let (status, log) = v2.stop();
    assert!(status.success(), "{log}");

    let (rows, schema) = count_rows(&state.path().join(DB_FILE)).unwrap();
    assert_eq!(
        rows,
        BTreeMap::from([(1, 101), (2, 52)]),
        "版ごとの/healthの行数（v1は起動待ち1件と100件、v2は起動待ち1件と版の確認1件と50件）"
    );
    assert_eq!(schema, 2);
}
