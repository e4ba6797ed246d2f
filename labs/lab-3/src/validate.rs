//! サンプルの検証です。記録する前に、名前・値・時刻を確かめます。

use crate::error::SampleError;
use crate::sample::Sample;

mod metric_name;
pub use metric_name::{MAX_NAME_BYTES, validate_metric_name};

/// 受け付ける最も古い時刻です (2000-01-01T00:00:00Z、ミリ秒)。
pub const MIN_TIMESTAMP_MS: i64 = 946_684_800_000;

/// 受け付ける最も新しい時刻の次です (2100-01-01T00:00:00Z、ミリ秒)。
pub const MAX_TIMESTAMP_MS: i64 = 4_102_444_800_000;

/// サンプル全体を検証します。最初に見つかった問題を返します。
pub fn validate_sample(sample: &Sample) -> Result<(), SampleError> {
    validate_metric_name(&sample.metric)?;
    validate_value(sample.value)?;
    validate_timestamp(sample.timestamp_ms)
}

/// 値が有限の数であることを確かめます。NaN と ±inf は集計を壊すので拒否します。
pub fn validate_value(value: f64) -> Result<(), SampleError> {
    if value.is_finite() {
        Ok(())
    } else {
        Err(SampleError::NonFinite { value })
    }
}

/// 時刻が 2000 年から 2100 年の間にあることを確かめます。秒とミリ秒の取り違えを見つけるためです。
pub fn validate_timestamp(timestamp_ms: i64) -> Result<(), SampleError> {
    if (MIN_TIMESTAMP_MS..MAX_TIMESTAMP_MS).contains(&timestamp_ms) {
        Ok(())
    } else {
        Err(SampleError::TimestampOutOfRange { timestamp_ms })
    }
}
