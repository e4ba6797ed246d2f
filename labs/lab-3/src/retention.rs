//! 保持期間です。古いサンプルを、先にロールアップしてから、上限のある小さなバッチに分けて消します。

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use serde::Serialize;

use crate::error::StoreError;
use crate::rollup::{Width, rollup_in};
use crate::store::Store;
use crate::validate::MIN_TIMESTAMP_MS;

/// 1 つのトランザクションで消す最大の行数です。書き込みロックを短く保ち、WAL が膨らみすぎないようにします。
pub const DELETE_BATCH_ROWS: i64 = 10_000;

/// 消す境界をそろえる幅 (1 時間、ミリ秒) です。ロールアップの最も広い幅に合わせます。
pub const ALIGN_MS: i64 = 3_600_000;

/// `prune_older_than` の結果です。
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Pruned {
    /// 消したサンプルの行数です。
    pub deleted: u64,
    /// 水位線です。この時刻より前のサンプルはなく、ロールアップは確定済みです。
    pub final_before_ms: i64,
}

impl Store {
    // ANCHOR: prune
    /// `cutoff_ms` を 1 時間の境界に切り下げた時刻より古いサンプルを消します。
    ///
    /// 消す前に、その期間を 1 分と 1 時間のバケットにロールアップし、水位線を進めます。
    /// 水位線より前のバケットは確定済みで、後から `rollup` を流しても集計し直されません。
    /// 1 回の DELETE は [`DELETE_BATCH_ROWS`] 行までです。バッチの間に他の書き手が割り込めます。
    pub fn prune_older_than(&mut self, cutoff_ms: i64) -> Result<Pruned, StoreError> {
        let cutoff_ms = cutoff_ms.div_euclid(ALIGN_MS) * ALIGN_MS;
        let final_before_ms = self.finalize_rollups(cutoff_ms)?;

        // 水位線を書いてから消すので、途中で落ちても、次の prune が残りを消すだけです。
        let mut deleted = 0;
        for metric_id in self.metric_ids()? {
            loop {
                let rows = self.delete_batch(metric_id, final_before_ms)?;
                deleted += rows;
                if (rows as i64) < DELETE_BATCH_ROWS {
                    break;
                }
            }
        }
        Ok(Pruned {
            deleted,
            final_before_ms,
        })
    }
    // ANCHOR_END: prune

    /// 水位線から `cutoff_ms` までをロールアップし、水位線を `cutoff_ms` に進めます。新しい水位線を返します。
    fn finalize_rollups(&mut self, cutoff_ms: i64) -> Result<i64, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(StoreError::sqlite("水位線の更新の開始"))?;
        let current = final_before_ms(&tx)?;
        if cutoff_ms <= current {
            return Ok(current);
        }

        // これから消すサンプルを、消す前に集計しておきます。
        for width in [Width::Minute, Width::Hour] {
            rollup_in(&tx, width, current.max(MIN_TIMESTAMP_MS), cutoff_ms)?;
        }
        tx.execute(
            "INSERT INTO retention (id, final_before_ms) VALUES (1, ?1)
             ON CONFLICT (id) DO UPDATE SET final_before_ms = excluded.final_before_ms",
            [cutoff_ms],
        )
        .map_err(StoreError::sqlite("水位線の更新"))?;
        tx.commit()
            .map_err(StoreError::sqlite("水位線の更新のコミット"))?;
        Ok(cutoff_ms)
    }

    /// 1 つのメトリクスの古いサンプルを、最大 [`DELETE_BATCH_ROWS`] 行消します。
    fn delete_batch(&mut self, metric_id: i64, before_ms: i64) -> Result<u64, StoreError> {
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
            .and_then(|mut stmt| stmt.execute(params![metric_id, before_ms, DELETE_BATCH_ROWS]))
            .map_err(StoreError::sqlite("古いサンプルの削除"))?;
        tx.commit().map_err(StoreError::sqlite("削除のコミット"))?;
        Ok(rows as u64)
    }

    /// 保持期間の水位線です。まだ何も消していなければ `None` です。
    pub fn final_before_ms(&self) -> Result<Option<i64>, StoreError> {
        read_final_before(&self.conn)
    }

    fn metric_ids(&self) -> Result<Vec<i64>, StoreError> {
        self.conn
            .prepare("SELECT id FROM metric ORDER BY id")
            .and_then(|mut stmt| stmt.query_map([], |row| row.get(0))?.collect())
            .map_err(StoreError::sqlite("メトリクスの一覧"))
    }
}

/// 水位線を読みます。まだ何も消していなければ `i64::MIN` (どのバケットも確定していない) です。
pub(crate) fn final_before_ms(conn: &Connection) -> Result<i64, StoreError> {
    Ok(read_final_before(conn)?.unwrap_or(i64::MIN))
}

fn read_final_before(conn: &Connection) -> Result<Option<i64>, StoreError> {
    conn.prepare_cached("SELECT final_before_ms FROM retention WHERE id = 1")
        .and_then(|mut stmt| stmt.query_row([], |row| row.get(0)).optional())
        .map_err(StoreError::sqlite("水位線の読み取り"))
}
