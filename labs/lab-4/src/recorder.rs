//! 記録のスレッド: リクエストの記録をまとめて、1つのトランザクションで書きます（演習1の対象ファイル）。

use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::requests::{RequestLog, RequestRecord};

/// 記録を待つ時間の上限です。この間隔で、送り手が閉じたか（終了の合図）を確かめます。
/// 届いた記録は、そのときチャネルにたまっている分とまとめて、すぐにコミットします。
pub const FLUSH_INTERVAL: Duration = Duration::from_millis(200);
/// 1回のコミットで書く最大の行数です。
pub const BATCH_ROWS: usize = 512;

/// 記録を書くスレッドです。[`App::close`](crate::service::App::close)のあと[`Writer::join`]で、残りを書き終えるまで待ちます。
pub struct Writer {
    thread: JoinHandle<Result<u64, String>>,
}

impl Writer {
    /// `receiver`に届く記録を`log`に書くスレッドを起動します。
    pub fn start(log: RequestLog, receiver: Receiver<RequestRecord>) -> Writer {
        Writer {
            thread: std::thread::spawn(move || write_loop(log, receiver)),
        }
    }

    /// 書き終えるまで待ち、書いた行数を返します。
    pub fn join(self) -> Result<u64, String> {
        self.thread
            .join()
            .unwrap_or_else(|_| Err("記録のスレッドが異常終了しました。".into()))
    }
}

// ANCHOR: write_loop
/// 記録をまとめて書きます。送り手がすべて閉じたら、残りを書いてから戻ります。
fn write_loop(mut log: RequestLog, receiver: Receiver<RequestRecord>) -> Result<u64, String> {
    let mut batch = Vec::with_capacity(BATCH_ROWS);
    let mut written = 0u64;
    let mut failures = 0u64;
    loop {
        let closed = match receiver.recv_timeout(FLUSH_INTERVAL) {
            Ok(record) => {
                batch.push(record);
                // すでに届いている分も、1回のコミットの上限までまとめて取ります。
                let room = BATCH_ROWS.saturating_sub(batch.len());
                batch.extend(receiver.try_iter().take(room));
                false
            }
            Err(RecvTimeoutError::Timeout) => false,
            Err(RecvTimeoutError::Disconnected) => true,
        };
        if closed {
            // 送り手が閉じたので、チャネルに残っている記録もすべて取り出します。
            batch.extend(receiver.try_iter());
        }
        if !batch.is_empty() {
            // 書けなかった行は捨てずに持ち越し、少し待ってからもう一度書きます。
            match log.record_batch(&batch) {
                Ok(()) => {
                    written += batch.len() as u64;
                    batch.clear();
                    failures = 0;
                }
                Err(error) => {
                    failures += 1;
                    // ログが埋まらないよう、最初の失敗と、その後は100回ごとに1行だけ書きます。
                    if failures % 100 == 1 {
                        tracing::error!(
                            rows = batch.len(),
                            failures,
                            "記録を書けません。少し待ってからもう一度書きます: {error}"
                        );
                    }
                    std::thread::sleep(FLUSH_INTERVAL);
                }
            }
        }
        if closed {
            return if batch.is_empty() {
                Ok(written)
            } else {
                Err(format!("{}行の記録を書けないまま終了します。", batch.len()))
            };
        }
    }
}
// ANCHOR_END: write_loop
