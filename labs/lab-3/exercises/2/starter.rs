//! ロールアップです (演習 2 の対象ファイル)。生のサンプルを 1 分・1 時間のバケットに集計して保存します。

use rusqlite::{Transaction, TransactionBehavior};
use serde::Serialize;

use crate::error::StoreError;
use crate::retention::final_before_ms;
use crate::store::Store;

/// ロールアップの幅です。
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Width {
    Minute,
    Hour,
}

impl Width {
    /// 幅 (秒) です。`rollup.width_s` 列の値になります。
    pub fn seconds(self) -> i64 {
        match self {
            Width::Minute => 60,
            Width::Hour => 3600,
        }
    }
}

/// `[from_ms, to_ms)` を 1 つのトランザクションでロールアップし、書き込んだバケットの数を返します。
pub fn rollup(
    store: &mut Store,
    width: Width,
    from_ms: i64,
    to_ms: i64,
) -> Result<usize, StoreError> {
    let tx = store
        .conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(StoreError::sqlite("ロールアップの開始"))?;
    let written = rollup_in(&tx, width, from_ms, to_ms)?;
    tx.commit()
        .map_err(StoreError::sqlite("ロールアップのコミット"))?;
    Ok(written)
}

// ANCHOR: rollup
/// `[from_ms, to_ms)` に入るサンプルを幅 `width` のバケットに集計し、`rollup` 表に upsert します。
/// 同じ範囲をもう一度集計すると、生のサンプルから計算し直した値で置き換わります (冪等)。
/// 保持期間の水位線より前のバケットは確定済みなので、集計し直しません。書き込んだバケットの数を返します。
pub(crate) fn rollup_in(
    tx: &Transaction<'_>,
    width: Width,
    from_ms: i64,
    to_ms: i64,
) -> Result<usize, StoreError> {
    let width_ms = width.seconds() * 1000;

    // バケットの途中から集計しないよう、範囲を外側のバケットの境界まで広げます。
    let from_ms = from_ms.div_euclid(width_ms) * width_ms;
    let to_ms = to_ms.saturating_add(width_ms - 1).div_euclid(width_ms) * width_ms;

    // 水位線は 1 時間の境界なので、どちらの幅でもバケットの途中にはなりません。
    let from_ms = from_ms.max(final_before_ms(tx)?);
    if from_ms >= to_ms {
        return Ok(0);
    }

    // TODO: [from_ms, to_ms) のサンプルを (metric_id, timestamp_ms / width_ms * width_ms) ごとに集計して
    // rollup 表に INSERT してください。同じ (metric_id, width_s, start_ms) の行がすでにあれば、
    // ON CONFLICT … DO UPDATE で置き換えます。書いたバケットの数 (execute の戻り値) を返してください。
    let _ = (tx, width_ms, from_ms, to_ms);
    todo!("演習 2: ロールアップの upsert を実装してください")
}
// ANCHOR_END: rollup
