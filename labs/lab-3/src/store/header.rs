//! 既存ファイルの検査です。SQLite に開かせる前に、ファイルの先頭 100 バイトを読むだけで確かめます。
//!
//! 読むだけなので、壊れたファイルや別物のファイルはバイト単位で元のまま残ります。

use std::fs::File;
use std::io::Read;
use std::path::Path;

use crate::error::StoreError;
use crate::store::schema::Schema;
use crate::store::wal;

/// SQLite のデータベースファイルの先頭 16 バイトです。
const MAGIC: &[u8; 16] = b"SQLite format 3\0";

/// ヘッダーから読み取った値です。
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    pub page_size: u32,
    /// ヘッダーに書かれたページ数です。ヘッダーの値が有効でなければ `None` です。
    pub page_count: Option<u32>,
    pub application_id: u32,
    pub user_version: u32,
}

// ANCHOR: check_header
/// 既存のファイルがこのストアとして開けるかを、書き込まずに確かめます。
pub fn check_existing(path: &Path, schema: &Schema) -> Result<Header, StoreError> {
    let (bytes, actual) = read_header(path)?;
    let header = parse(&bytes);

    // ページサイズとページ数から、ファイルが本来あるべき大きさを求めます。
    // WAL に有効なコミットがあれば、最後のコミットの大きさが正しく、WAL が持つページは本体になくても構いません。
    // チェックポイントの途中で落ちると本体が短いことがあり、そのページは SQLite が WAL から書き戻します。
    let page_size = u64::from(header.page_size);
    let pages_in_file = actual / page_size;
    let (expected_pages, complete) = match wal::read_committed(path, header.page_size) {
        Some(wal) => {
            // 本体の大きさは WAL を読んだ後に測り直します。他の接続のチェックポイントが WAL のページを本体へ
            // 移しても、後から測れば WAL で見たページは本体にあります (このストアは VACUUM をしないので、
            // チェックポイントが本体を縮めることはありません)。
            let pages_in_file = file_len(path)? / page_size;
            let in_file_or_wal =
                |page: u32| u64::from(page) <= pages_in_file || wal.pages.contains(&page);
            (wal.db_pages, (1..=wal.db_pages).all(in_file_or_wal))
        }
        None => {
            let pages = header.page_count.unwrap_or(0);
            let whole = actual % page_size == 0;
            (pages, whole && pages_in_file >= u64::from(pages))
        }
    };
    if !complete {
        let expected = page_size * u64::from(expected_pages.max(1));
        return Err(truncated(path, expected, actual));
    }

    // 別のアプリケーションのデータベースや、新しすぎるスキーマには触れません。
    if header.application_id != schema.application_id {
        return Err(StoreError::ForeignDatabase {
            path: path.into(),
            application_id: header.application_id,
        });
    }
    if header.user_version > schema.latest_version() {
        return Err(StoreError::SchemaTooNew {
            path: path.into(),
            found: header.user_version,
            supported: schema.latest_version(),
        });
    }
    Ok(header)
}
// ANCHOR_END: check_header

/// 先頭 100 バイト (データベースヘッダー) とファイルの大きさを読みます。
fn read_header(path: &Path) -> Result<(Vec<u8>, u64), StoreError> {
    let io_error = |cause| StoreError::Io {
        path: path.to_path_buf(),
        cause,
    };
    let mut file = File::open(path).map_err(io_error)?;
    let actual = file.metadata().map_err(io_error)?.len();
    if actual == 0 {
        return Err(StoreError::EmptyFile { path: path.into() });
    }

    let mut bytes = Vec::with_capacity(100);
    file.by_ref()
        .take(100)
        .read_to_end(&mut bytes)
        .map_err(io_error)?;

    // 先頭がマジックと食い違えば別物、マジックの途中やヘッダーの途中で終われば途中で切れています。
    if !MAGIC.starts_with(&bytes[..bytes.len().min(16)]) {
        return Err(StoreError::NotADatabase { path: path.into() });
    }
    if bytes.len() < 100 {
        return Err(truncated(path, 100, actual));
    }
    Ok((bytes, actual))
}

/// ファイルの今の大きさです。
fn file_len(path: &Path) -> Result<u64, StoreError> {
    std::fs::metadata(path)
        .map(|metadata| metadata.len())
        .map_err(|cause| StoreError::Io {
            path: path.to_path_buf(),
            cause,
        })
}

fn truncated(path: &Path, expected: u64, actual: u64) -> StoreError {
    StoreError::Truncated {
        path: path.into(),
        expected,
        actual,
    }
}

/// ヘッダーの各値はビッグエンディアンです。ページサイズ 1 は 65536 を表します。
/// ページ数 (オフセット 28) は、変更カウンター (24) と version-valid-for (92) が一致するときだけ有効です。
fn parse(bytes: &[u8]) -> Header {
    let raw_page_size = u32::from(u16::from_be_bytes([bytes[16], bytes[17]]));
    let page_count = be_u32(bytes, 28);
    let count_is_valid = be_u32(bytes, 24) == be_u32(bytes, 92) && page_count > 0;
    Header {
        page_size: if raw_page_size == 1 {
            65_536
        } else {
            raw_page_size.max(512)
        },
        page_count: count_is_valid.then_some(page_count),
        user_version: be_u32(bytes, 60),
        application_id: be_u32(bytes, 68),
    }
}

fn be_u32(bytes: &[u8], offset: usize) -> u32 {
    u32::from_be_bytes([
        bytes[offset],
        bytes[offset + 1],
        bytes[offset + 2],
        bytes[offset + 3],
    ])
}
