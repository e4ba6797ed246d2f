//! CSV と JSON Lines の取り込みです。全行を読んで検証し、1 行でも不正なら何も記録しません。
//!
//! CSV は `metric,timestamp,value` の 3 列です (1 行目がちょうどこの 3 つの列名なら見出しとして飛ばします)。
//! JSON Lines は 1 行に `{"metric": "...", "timestamp": ..., "value": ...}` を 1 つ書きます。
//! 時刻は RFC 3339 の文字列か Unix ミリ秒の整数です。

use std::fmt;

use crate::sample::Sample;
use crate::time::parse_timestamp;
use crate::validate::validate_sample;

/// UTF-8 の BOM です。Excel の「CSV UTF-8」はファイルの先頭にこれを書きます。
const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// エラーとして表示する不正な行の数の上限です。
const MAX_REPORTED_LINES: usize = 10;

/// 標準入力から読むときの名前です。メッセージではコードではなく言葉として出します。
pub const STDIN_NAME: &str = "標準入力";

/// メッセージに出す入力の名前です。ファイル名はコードとして `` ` `` で囲み、後ろに空白を置きます。
pub fn shown_name(name: &str) -> String {
    match name == STDIN_NAME {
        true => name.to_string(),
        false => format!("`{name}` "),
    }
}

/// 入力の形式です。
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    JsonLines,
}

impl Format {
    /// 拡張子から形式を決めます。拡張子がないか標準入力なら、最初の文字が `{` かどうかで決めます。
    pub fn detect(name: &str, text: &str) -> Format {
        let lower = name.to_ascii_lowercase();
        if lower.ends_with(".jsonl") || lower.ends_with(".ndjson") {
            return Format::JsonLines;
        }
        if lower.ends_with(".csv") {
            return Format::Csv;
        }
        match text.trim_start().starts_with('{') {
            true => Format::JsonLines,
            false => Format::Csv,
        }
    }
}

/// 1 行の問題です。行番号は 1 始まりです。
#[derive(Debug, Clone, PartialEq)]
pub struct LineError {
    pub line: usize,
    pub message: String,
}

/// 取り込めなかった理由です。
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ImportError {
    #[error(
        "{shown}は Shift_JIS で保存されているようです。UTF-8 で保存し直してください（Excel では「CSV UTF-8 (コンマ区切り)」を選びます）。何も記録していません。"
    )]
    ShiftJis { shown: String },

    #[error(
        "{shown}の {line} 行目が UTF-8 ではありません。UTF-8 で保存し直してください。何も記録していません。"
    )]
    NotUtf8 { shown: String, line: usize },

    #[error("{}", BadLines { name, errors, total: *total })]
    BadLines {
        name: String,
        errors: Vec<LineError>,
        total: usize,
    },
}

struct BadLines<'a> {
    name: &'a str,
    errors: &'a [LineError],
    total: usize,
}

impl fmt::Display for BadLines<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{}に不正な行が {} 行あります。何も記録していません。",
            shown_name(self.name),
            self.total
        )?;
        for error in self.errors {
            writeln!(f, "  {} 行目: {}", error.line, error.message)?;
        }
        if self.total > self.errors.len() {
            writeln!(f, "  …ほか {} 行", self.total - self.errors.len())?;
        }
        write!(f, "これらの行を直してから、もう一度取り込んでください。")
    }
}

// ANCHOR: parse
/// 入力全体を読み、サンプルの列を返します。`name` はエラーに出すファイル名です。
pub fn parse(name: &str, bytes: &[u8], format: Option<Format>) -> Result<Vec<Sample>, ImportError> {
    // BOM を外してから UTF-8 として読みます。
    let bytes = bytes.strip_prefix(UTF8_BOM).unwrap_or(bytes);
    let text = decode_utf8(name, bytes)?;
    let format = format.unwrap_or_else(|| Format::detect(name, text));

    let mut samples = Vec::new();
    let mut errors = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let line_number = index + 1;
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || is_csv_header(format, index, line) {
            continue;
        }

        // 読めた行も検証し、問題のある行はすべて行番号付きで集めます。
        let parsed = match format {
            Format::Csv => parse_csv_line(line),
            Format::JsonLines => parse_json_line(line),
        };
        match parsed.and_then(|s| validate_sample(&s).map(|()| s).map_err(|e| e.to_string())) {
            Ok(sample) => samples.push(sample),
            Err(message) => errors.push(LineError {
                line: line_number,
                message,
            }),
        }
    }

    if errors.is_empty() {
        return Ok(samples);
    }
    let total = errors.len();
    errors.truncate(MAX_REPORTED_LINES);
    Err(ImportError::BadLines {
        name: name.to_string(),
        errors,
        total,
    })
}
// ANCHOR_END: parse

/// 1 行目の列名が、大文字・小文字と引用符を除いて `metric,timestamp,value` と一致するときだけ見出しです。
/// `metric_a,…` のようなデータ行を見出しと取り違えて捨てないためです。
fn is_csv_header(format: Format, index: usize, line: &str) -> bool {
    let names: Vec<String> = line
        .split(',')
        .map(|f| f.trim().trim_matches('"').to_ascii_lowercase())
        .collect();
    format == Format::Csv && index == 0 && names == ["metric", "timestamp", "value"]
}

/// UTF-8 として読みます。読めなければ、Shift_JIS らしいかどうかでエラーを分けます。
fn decode_utf8<'a>(name: &str, bytes: &'a [u8]) -> Result<&'a str, ImportError> {
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(text),
        Err(_) if looks_like_shift_jis(bytes) => Err(ImportError::ShiftJis {
            shown: shown_name(name),
        }),
        Err(error) => {
            let line = bytes[..error.valid_up_to()]
                .iter()
                .filter(|&&b| b == b'\n')
                .count()
                + 1;
            Err(ImportError::NotUtf8 {
                shown: shown_name(name),
                line,
            })
        }
    }
}

// ANCHOR: shift_jis
/// バイト列が Shift_JIS の 2 バイト文字として読めるかを確かめます。
/// 先頭バイトが 0x81–0x9F か 0xE0–0xFC、2 バイト目が 0x40–0x7E か 0x80–0xFC なら 1 文字です。
pub fn looks_like_shift_jis(bytes: &[u8]) -> bool {
    let mut double_byte_chars = 0;
    let mut i = 0;
    while i < bytes.len() {
        let lead = bytes[i];
        match lead {
            0x00..=0x7F | 0xA1..=0xDF => i += 1,
            0x81..=0x9F | 0xE0..=0xFC => {
                let Some(&trail) = bytes.get(i + 1) else {
                    return false;
                };
                if !matches!(trail, 0x40..=0x7E | 0x80..=0xFC) {
                    return false;
                }
                double_byte_chars += 1;
                i += 2;
            }
            _ => return false,
        }
    }
    double_byte_chars > 0
}
// ANCHOR_END: shift_jis

fn parse_csv_line(line: &str) -> Result<Sample, String> {
    let fields: Vec<&str> = line
        .split(',')
        .map(|f| f.trim().trim_matches('"'))
        .collect();
    let [metric, timestamp, value] = fields[..] else {
        return Err(format!(
            "列が {} 個あります。`metric,timestamp,value` の 3 列にしてください。",
            fields.len()
        ));
    };
    let timestamp_ms = parse_timestamp(timestamp).map_err(|e| e.to_string())?;
    let value: f64 = value.parse().map_err(|_| {
        format!("値 `{value}` を数として読めません。`0.5` のような数にしてください。")
    })?;
    // `inf` や `NaN` は数として読めますが、記録できません。入力のままの綴りで伝えます。
    if !value.is_finite() {
        return Err(format!(
            "値 `{text}` は有限の数ではありません。NaN と ±inf は記録できません。",
            text = fields[2]
        ));
    }
    Ok(Sample::new(metric, timestamp_ms, value))
}

fn parse_json_line(line: &str) -> Result<Sample, String> {
    let invalid = |e: serde_json::Error| {
        format!(
            "JSON として読めません ({e})。`{{\"metric\": \"node_load1\", \"timestamp\": \"2026-12-04T19:00:00+09:00\", \"value\": 0.5}}` の形にしてください。"
        )
    };
    let object: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(line).map_err(invalid)?;

    let metric = match object.get("metric") {
        Some(serde_json::Value::String(name)) => name.clone(),
        _ => return Err("`metric` (文字列) がありません。".to_string()),
    };
    let timestamp_ms = match object.get("timestamp") {
        Some(serde_json::Value::String(text)) => {
            parse_timestamp(text).map_err(|e| e.to_string())?
        }
        Some(serde_json::Value::Number(n)) if n.is_i64() => n.as_i64().unwrap_or_default(),
        _ => {
            return Err(
                "`timestamp` (RFC 3339 の文字列か Unix ミリ秒の整数) がありません。".to_string(),
            );
        }
    };
    let value = match object.get("value").and_then(serde_json::Value::as_f64) {
        Some(value) => value,
        None => return Err("`value` (数) がありません。".to_string()),
    };
    Ok(Sample::new(metric, timestamp_ms, value))
}
