//! 時刻と期間の読み書きです。表示は地方時とオフセット付き (`2026-12-04 19:00:00 +09:00`) にします。

use jiff::Timestamp;
use jiff::tz::TimeZone;

use crate::validate::{MAX_TIMESTAMP_MS, MIN_TIMESTAMP_MS};

/// 時刻や期間を読めなかった理由です。
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ParseTimeError {
    #[error(
        "時刻 `{0}` を読めません。`2026-12-04T19:00:00+09:00` (RFC 3339) か Unix ミリ秒で指定してください。"
    )]
    Timestamp(String),

    #[error(
        "期間 `{0}` を読めません。`500ms`・`30s`・`15m`・`6h`・`7d`・`2w` のように、0 より大きい整数と単位 (ms, s, m, h, d, w) で指定してください。"
    )]
    Duration(String),

    #[error(
        "期間 `{0}` は長すぎます。記録できる時刻の範囲 (2000-01-01 から 2100-01-01) より短い期間を指定してください。"
    )]
    DurationTooLong(String),
}

/// 今の時刻 (Unix ミリ秒) です。
pub fn now_ms() -> i64 {
    Timestamp::now().as_millisecond()
}

/// Unix ミリ秒を、地方時とオフセット付きで表示します。地方時は環境変数 `TZ` かシステムの設定に従います。
pub fn format_local(timestamp_ms: i64) -> String {
    match Timestamp::from_millisecond(timestamp_ms) {
        Ok(ts) => ts
            .to_zoned(TimeZone::system())
            .strftime("%Y-%m-%d %H:%M:%S %:z")
            .to_string(),
        Err(_) => format!("{timestamp_ms} ms"),
    }
}

/// RFC 3339 の時刻、`2026-12-04 19:00:00 +09:00` の形、または Unix ミリ秒を読みます。
pub fn parse_timestamp(text: &str) -> Result<i64, ParseTimeError> {
    let text = text.trim();
    if let Ok(ms) = text.parse::<i64>() {
        return Ok(ms);
    }
    if let Ok(ts) = text.parse::<Timestamp>() {
        return Ok(ts.as_millisecond());
    }
    jiff::fmt::strtime::parse("%Y-%m-%d %H:%M:%S %:z", text)
        .and_then(|parsed| parsed.to_timestamp())
        .map(|ts| ts.as_millisecond())
        .map_err(|_| ParseTimeError::Timestamp(text.to_string()))
}

/// `7d` のような期間をミリ秒に直します。0 と、記録できる時刻の範囲より長い期間はエラーです。
pub fn parse_duration_ms(text: &str) -> Result<i64, ParseTimeError> {
    let invalid = || ParseTimeError::Duration(text.to_string());
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .ok_or_else(invalid)?;
    let (number, unit) = text.split_at(split);
    let number: i64 = number.parse().map_err(|_| invalid())?;
    let unit_ms = match unit {
        "ms" => 1,
        "s" => 1_000,
        "m" => 60_000,
        "h" => 3_600_000,
        "d" => 86_400_000,
        "w" => 604_800_000,
        _ => return Err(invalid()),
    };
    if number == 0 {
        return Err(invalid());
    }

    // 記録できる時刻の範囲より長い期間は、どの時刻から引いても範囲の外に出るので受け付けません。
    let too_long = || ParseTimeError::DurationTooLong(text.to_string());
    let ms = number.checked_mul(unit_ms).ok_or_else(too_long)?;
    match ms <= MAX_TIMESTAMP_MS - MIN_TIMESTAMP_MS {
        true => Ok(ms),
        false => Err(too_long()),
    }
}
