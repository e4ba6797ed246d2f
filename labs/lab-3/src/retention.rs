//! 保持期間です。古いサンプルを、上限のある小さなバッチに分けて消します。

use rusqlite::{TransactionBehavior, params};

use crate::error::StoreError;
use crate::store::Store;

/// 1 つのトランザクションで消す最大の行数です。書き込みロックを短く保ち、WAL が膨らみすぎないようにします。
pub const DELETE_BATCH_ROWS: i64 = 10_000;

impl Store {
    // ANCHOR: prune
    /// `cutoff_ms` より古いサンプルを消し、消した行数を返します。ロールアップは残します。
    ///
    /// 1 回の DELETE は [`DELETE_BATCH_ROWS`] 行までです。バッチの間に他の書き手が割り込めます。
    pub fn prune_older_than(&mut self, cutoff_ms: i64) -> Result<u64, StoreError> {
        let metric_ids = self.metric_ids()?;
        let mut deleted = 0;

        for metric_id in metric_ids {
            loop {
                let tx = self
                    .conn
                    .transaction_with_behavior(TransactionBehavior::Immediate)
                    .map_err(StoreError::sqlite("削除トランザクションの開始"))?;

                // 主キー (metric_id, timestamp_ms) の先頭から数えて、古い方の行だけを選んで消します。
                let rows = tx
                    .prepare_cached(
                        "DELETE FROM sample WHERE (metric_id, timestamp_ms) IN (
                             SELECT metric_id, timestamp_ms FROM sample
                             WHERE metric_id = ?1 AND timestamp_ms < ?2
                             ORDER BY timestamp_ms LIMIT ?3)",
                    )
                    .and_then(|mut stmt| {
                        stmt.execute(params![metric_id, cutoff_ms, DELETE_BATCH_ROWS])
                    })
                    .map_err(StoreError::sqlite("古いサンプルの削除"))?;
                tx.commit().map_err(StoreError::sqlite("削除のコミット"))?;

                deleted += rows as u64;
                if (rows as i64) < DELETE_BATCH_ROWS {
                    break;
                }
            }
        }
        Ok(deleted)
    }
    // ANCHOR_END: prune

    fn metric_ids(&self) -> Result<Vec<i64>, StoreError> {
        self.conn
            .prepare("SELECT id FROM metric ORDER BY id")
            .and_then(|mut stmt| stmt.query_map([], |row| row.get(0))?.collect())
            .map_err(StoreError::sqlite("メトリクスの一覧"))
    }
}
