//! サンプルの記録です。バッチは 1 つのトランザクションで、キャッシュしたプリペアドステートメントを使って書きます。

use std::collections::HashMap;

use rusqlite::{Transaction, TransactionBehavior, params};
use serde::Serialize;

use crate::error::StoreError;
use crate::sample::Sample;
use crate::store::Store;
use crate::validate::validate_sample;

/// 新しいサンプルを挿入します。同じメトリクス・同じ時刻の行があれば何もしません (変更 0 行)。
const INSERT_SAMPLE: &str =
    "INSERT INTO sample (metric_id, timestamp_ms, value) VALUES (?1, ?2, ?3)
     ON CONFLICT (metric_id, timestamp_ms) DO NOTHING";

/// 同じメトリクス・同じ時刻の行の値を、後から書いた値で置き換えます。
const REPLACE_SAMPLE: &str =
    "UPDATE sample SET value = ?3 WHERE metric_id = ?1 AND timestamp_ms = ?2";

/// バッチを書いた結果です。`inserted + replaced` がバッチの件数です。
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Written {
    /// 新しく加わった行の数です。
    pub inserted: usize,
    /// 同じメトリクス・同じ時刻の行があり、値を置き換えた数です (バッチの中の重複も数えます)。
    pub replaced: usize,
}

impl Store {
    /// サンプルを 1 件記録します。
    pub fn record(&mut self, sample: &Sample) -> Result<(), StoreError> {
        // 1 件だけなので、エラーには「バッチの何件目か」ではなく、メトリクス名だけを出します。
        match self.record_batch(std::slice::from_ref(sample)) {
            Ok(_) => Ok(()),
            Err(StoreError::InvalidSample { metric, reason, .. }) => {
                Err(StoreError::RejectedSample { metric, reason })
            }
            Err(other) => Err(other),
        }
    }

    // ANCHOR: record_batch
    /// サンプルをまとめて 1 つのトランザクションで記録し、新しい行と置き換えた行の数を返します。
    /// 同じメトリクス・同じ時刻のサンプルは upsert で、後から書いた値が残ります。
    /// 1 件でも不正なら何も書かずに、その件の位置 (1 始まり) を示すエラーを返します。
    pub fn record_batch(&mut self, samples: &[Sample]) -> Result<Written, StoreError> {
        // 書く前に全件を検証します。途中で失敗して一部だけ書かれることがありません。
        for (index, sample) in samples.iter().enumerate() {
            validate_sample(sample).map_err(|reason| StoreError::InvalidSample {
                index: index + 1,
                metric: sample.metric.clone(),
                reason,
            })?;
        }

        // IMMEDIATE: 最初に書き込みロックを取ります。読み取りから書き込みへの格上げで
        // SQLITE_BUSY になる競合を避け、待ちは busy_timeout に任せます。
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(StoreError::sqlite("書き込みトランザクションの開始"))?;
        let written = insert_all(&tx, samples)?;

        // コミットが成功するまで、どの行も他の接続からは見えません。
        tx.commit()
            .map_err(StoreError::sqlite("バッチのコミット"))?;
        Ok(written)
    }
    // ANCHOR_END: record_batch
}

// ANCHOR: insert_all
/// トランザクションの中でサンプルを挿入します。SQL の解析はステートメントごとに 1 回だけです。
fn insert_all(tx: &Transaction<'_>, samples: &[Sample]) -> Result<Written, StoreError> {
    let mut insert = tx
        .prepare_cached(INSERT_SAMPLE)
        .map_err(StoreError::sqlite("INSERT の準備"))?;
    let mut written = Written::default();
    let mut metric_ids: HashMap<&str, i64> = HashMap::new();

    for sample in samples {
        // メトリクス名から id への対応は、バッチの中でだけ覚えておきます。
        let metric_id = match metric_ids.get(sample.metric.as_str()) {
            Some(&id) => id,
            None => {
                let id = metric_id(tx, &sample.metric)?;
                metric_ids.insert(&sample.metric, id);
                id
            }
        };
        let row = params![metric_id, sample.timestamp_ms, sample.value];
        let inserted = insert
            .execute(row)
            .map_err(StoreError::sqlite("サンプルの挿入"))?;

        // 挿入されなければ同じキーの行があるので、値を置き換えて数えます。
        if inserted == 1 {
            written.inserted += 1;
        } else {
            tx.prepare_cached(REPLACE_SAMPLE)
                .and_then(|mut replace| replace.execute(row))
                .map_err(StoreError::sqlite("サンプルの置き換え"))?;
            written.replaced += 1;
        }
    }
    Ok(written)
}
// ANCHOR_END: insert_all

/// メトリクス名の id を返します。なければ登録します。
pub(crate) fn metric_id(tx: &Transaction<'_>, name: &str) -> Result<i64, StoreError> {
    let mut upsert = tx
        .prepare_cached(
            "INSERT INTO metric (name) VALUES (?1)
             ON CONFLICT (name) DO UPDATE SET name = excluded.name
             RETURNING id",
        )
        .map_err(StoreError::sqlite("メトリクスの登録の準備"))?;
    upsert
        .query_row([name], |row| row.get(0))
        .map_err(StoreError::sqlite("メトリクスの登録"))
}
