//! テストで共有する準備: hello-svcのビルドと、ラボマシンの見張り。
#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard, OnceLock};

use lab_1::machine::{self, Running, Session};

/// muslでビルドしたhello-svc (テストの実行ごとに1回だけビルドします)。
pub fn hello_svc() -> PathBuf {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY
        .get_or_init(|| {
            lab_1::upgrade::hello_image::build_hello_svc().unwrap_or_else(|error| panic!("{error}"))
        })
        .clone()
}

static SESSION: OnceLock<Session> = OnceLock::new();
static EXCLUSIVE: Mutex<()> = Mutex::new(());

/// テストのプロセスが終わるとき（失敗して終わるときも）、自分で起動したラボマシンを止めます。
extern "C" fn stop_machine_at_exit() {
    if SESSION.get().is_some_and(Session::booted) {
        let _ = machine::down();
    }
}

/// 起動中のラボマシンを返します。止まっていれば起動し、テストのプロセスの終わりに止めます。
/// ラボマシンを使うテストは同時に走らないよう、戻り値のロックを持っている間だけ使います。
pub fn lab_machine() -> (Running, (MutexGuard<'static, ()>, std::fs::File)) {
    let guard = EXCLUSIVE
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Err(error) = machine::require_root("cargo test -p lab-1") {
        panic!("このテストは本物のsystemd（ラボマシン）を使います。{error}");
    }
    let session = SESSION.get_or_init(|| {
        let session =
            Session::start().unwrap_or_else(|error| panic!("ラボマシンを起動できません: {error}"));
        // SAFETY: 登録する関数は引数を取らず、プロセスの終わりに1回だけ呼ばれます。
        unsafe { libc::atexit(stop_machine_at_exit) };
        session
    });
    // upgrade-demoなど、別のプロセスが同じユニットを使っている間は待ちます。
    let file_lock = machine::lock_exclusive().unwrap_or_else(|error| panic!("{error}"));
    (session.running, (guard, file_lock))
}
