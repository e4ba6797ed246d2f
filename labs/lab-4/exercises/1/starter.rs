//! 記録のスレッド: リクエストの記録をまとめて、1つのトランザクションで書きます（演習1の対象ファイル）。

use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::requests::{RequestLog, RequestRecord};

/// 記録を待つ時間の上限です。この出発点のコードは、この間に記録が1つも届かなかったときか、
/// [`BATCH_ROWS`]行たまったときにコミットします。
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
    loop {
        match receiver.recv_timeout(FLUSH_INTERVAL) {
            Ok(record) => {
                batch.push(record);
                // 上限に届くまでは、まとめて書くためにためておきます。
                if batch.len() < BATCH_ROWS {
                    continue;
                }
            }
            Err(RecvTimeoutError::Timeout) => {}
            // TODO（演習1）: 送り手が閉じたら（終了の合図のあと）、ためている記録を書いてから戻ります。
            // いまは、まだ書いていない記録を捨てて戻ってしまいます。
            Err(RecvTimeoutError::Disconnected) => return Ok(written),
        }
        if !batch.is_empty() {
            match log.record_batch(&batch) {
                Ok(()) => {
                    written += batch.len() as u64;
                    batch.clear();
                }
                Err(error) => tracing::error!(
                    rows = batch.len(),
                    "記録を書けません。次の回にもう一度書きます: {error}"
                ),
            }
        }
    }
}
// ANCHOR_END: write_loop
