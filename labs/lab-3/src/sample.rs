//! 1 件のメトリクスのサンプルです。

use serde::{Deserialize, Serialize};

/// メトリクス名・時刻・値の組です。時刻は Unix エポックからのミリ秒 (UTC) です。
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sample {
    pub metric: String,
    pub timestamp_ms: i64,
    pub value: f64,
}

impl Sample {
    pub fn new(metric: impl Into<String>, timestamp_ms: i64, value: f64) -> Self {
        Sample {
            metric: metric.into(),
            timestamp_ms,
            value,
        }
    }
}
