//! テストの共通部品です: 固定のデータセット、CLI の実行、insta のフィルター。
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use lab_3::Store;

/// 固定のデータセット (3 メトリクス × 20 点、2026-12-04 10:00〜10:19 +09:00) です。
pub const FIXTURE_CSV: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/metrics.csv");

/// データセットの範囲 `[FROM, TO)` です。
pub const FROM: &str = "2026-12-04T10:00:00+09:00";
pub const TO: &str = "2026-12-04T10:20:00+09:00";

/// テストの時刻表示は +09:00 に固定します。tzdata がなくても使える POSIX 形式です。
pub const TZ: &str = "JST-9";

/// 一時ディレクトリと、その中のデータベースのパスです。
pub struct TempStore {
    pub dir: tempfile::TempDir,
    pub path: PathBuf,
}

pub fn temp_store() -> TempStore {
    let dir = tempfile::tempdir().expect("一時ディレクトリを作れます");
    let path = dir.path().join("metrics.db");
    TempStore { dir, path }
}

/// 固定のデータセットを取り込んだストアを返します。
pub fn fixture_store() -> (TempStore, Store) {
    let temp = temp_store();
    let bytes = std::fs::read(FIXTURE_CSV).expect("データセットを読めます");
    let samples =
        lab_3::import::parse("metrics.csv", &bytes, None).expect("データセットは正しい形式です");
    let mut store = Store::open(&temp.path).expect("ストアを開けます");
    store
        .record_batch(&samples)
        .expect("データセットを記録できます");
    (temp, store)
}

pub fn ms(text: &str) -> i64 {
    lab_3::time::parse_timestamp(text).expect("テストの時刻は正しい形式です")
}

/// `lab-3` を `dir` で実行します。TZ は +09:00 に固定します。
pub fn lab3(dir: &Path, args: &[&str]) -> Output {
    lab3_with_stdin(dir, args, &[])
}

pub fn lab3_with_stdin(dir: &Path, args: &[&str], stdin: &[u8]) -> Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_lab-3"))
        .args(args)
        .current_dir(dir)
        .env("TZ", TZ)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("lab-3 を起動できます");
    let mut input = child.stdin.take().expect("標準入力があります");
    input.write_all(stdin).expect("標準入力に書けます");
    drop(input);
    child.wait_with_output().expect("lab-3 の終了を待てます")
}

/// 終了コード・標準出力・標準エラー出力を、スナップショット用の 1 つの文字列にします。
pub fn transcript(output: &Output) -> String {
    format!(
        "終了コード: {}\n--- 標準出力 ---\n{}--- 標準エラー出力 ---\n{}",
        output
            .status
            .code()
            .map_or("なし".to_string(), |c| c.to_string()),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr),
    )
}

/// テストが失敗しても子プロセスを残さないよう、Drop で止めて終了を待ちます。
pub struct KillOnDrop(pub std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// 本が取り込むスナップショットです。ヘッダーを 3 行にするため、式を書きません。
#[macro_export]
macro_rules! book_snapshot {
    ($name:expr, $value:expr) => {
        insta::with_settings!({ omit_expression => true, prepend_module_to_snapshot => true }, {
            insta::assert_snapshot!($name, $value);
        })
    };
}
