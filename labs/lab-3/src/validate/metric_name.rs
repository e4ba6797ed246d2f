//! メトリクス名の検証です (演習 3 の対象ファイル)。

use crate::error::SampleError;

/// メトリクス名の上限 (バイト) です。Prometheus には上限がありませんが、ストアでは制限します。
pub const MAX_NAME_BYTES: usize = 128;

// ANCHOR: metric_name
/// メトリクス名を Prometheus と同じ規則 `[a-zA-Z_:][a-zA-Z0-9_:]*` で検証します。
/// `__` で始まる名前は予約済みとして拒否し、長さは [`MAX_NAME_BYTES`] までにします。
pub fn validate_metric_name(name: &str) -> Result<(), SampleError> {
    if name.is_empty() {
        return Err(SampleError::EmptyName);
    }
    if name.len() > MAX_NAME_BYTES {
        return Err(SampleError::NameTooLong {
            name: name.to_string(),
            len: name.len(),
            max: MAX_NAME_BYTES,
        });
    }

    // 1 文字ずつ確かめ、使えない文字の位置 (1 始まり) を返します。
    for (index, c) in name.chars().enumerate() {
        let allowed =
            c.is_ascii_alphabetic() || c == '_' || c == ':' || (index > 0 && c.is_ascii_digit());
        if !allowed {
            return Err(SampleError::InvalidNameChar {
                name: name.to_string(),
                position: index + 1,
                found: c,
            });
        }
    }

    if name.starts_with("__") {
        return Err(SampleError::ReservedName {
            name: name.to_string(),
        });
    }
    Ok(())
}
// ANCHOR_END: metric_name
