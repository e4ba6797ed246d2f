//! WAL ファイルを読むだけで調べます。SQLite に開かせる前に、WAL を本体に書き戻した後の大きさを知るためです。
//!
//! WAL は 32 バイトのヘッダーと、フレーム (24 バイトのヘッダー + 1 ページ) の列です。
//! ソルトがヘッダーと一致し、チェックサムが先頭から途切れずにつながるフレームだけが有効で、
//! SQLite が使うのは最後のコミットフレーム (データベースの大きさが 0 でないフレーム) までです。

use std::collections::BTreeSet;
use std::path::Path;

/// 有効なコミットまでの WAL の中身です。
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WalContents {
    /// 最後のコミットの時点のデータベースのページ数です。
    pub db_pages: u32,
    /// WAL が持っているページの番号 (1 始まり) です。
    pub pages: BTreeSet<u32>,
}

// ANCHOR: read_wal
/// `path-wal` を読み、有効なコミットがあればその中身を返します。WAL がないか、使えるコミットがなければ `None` です。
/// SQLite も、そのような WAL は無視して本体だけを読みます。
pub fn read_committed(db_path: &Path, page_size: u32) -> Option<WalContents> {
    let mut wal_path = db_path.as_os_str().to_owned();
    wal_path.push("-wal");
    let bytes = std::fs::read(wal_path).ok()?;

    // ヘッダー: マジック (チェックサムのバイト順)、フォーマット、ページサイズ、ソルト、ヘッダーのチェックサム。
    let header = bytes.get(..32)?;
    let big_endian = match be_u32(header, 0) {
        0x377f_0682 => false,
        0x377f_0683 => true,
        _ => return None,
    };
    if be_u32(header, 4) != 3_007_000 || wal_page_size(be_u32(header, 8)) != Some(page_size) {
        return None;
    }
    let mut sum = checksum((0, 0), &header[..24], big_endian);
    if sum != (be_u32(header, 24), be_u32(header, 28)) {
        return None;
    }

    // フレームを順に確かめ、コミットごとに、それまでのページを確定させます。
    let frame_len = 24 + page_size as usize;
    let mut pending = BTreeSet::new();
    let mut committed: Option<WalContents> = None;
    for frame in bytes[32..].chunks_exact(frame_len) {
        if frame[8..16] != header[16..24] {
            break;
        }
        sum = checksum(sum, &frame[..8], big_endian);
        sum = checksum(sum, &frame[24..], big_endian);
        if sum != (be_u32(frame, 16), be_u32(frame, 20)) {
            break;
        }
        pending.insert(be_u32(frame, 0));
        let db_pages = be_u32(frame, 4);
        if db_pages > 0 {
            let mut pages = committed.map(|c| c.pages).unwrap_or_default();
            pages.append(&mut pending);
            committed = Some(WalContents { db_pages, pages });
        }
    }
    committed
}
// ANCHOR_END: read_wal

/// WAL のヘッダーのページサイズです。65536 はそのまま書かれます。
fn wal_page_size(raw: u32) -> Option<u32> {
    (raw.is_power_of_two() && (512..=65_536).contains(&raw)).then_some(raw)
}

/// WAL のチェックサムです。32 ビット語の組 (x0, x1) ごとに s0 += x0 + s1、s1 += x1 + s0 を足し込みます。
fn checksum(start: (u32, u32), data: &[u8], big_endian: bool) -> (u32, u32) {
    let (mut s0, mut s1) = start;
    for pair in data.chunks_exact(8) {
        let word = |i: usize| {
            let bytes = [pair[i], pair[i + 1], pair[i + 2], pair[i + 3]];
            match big_endian {
                true => u32::from_be_bytes(bytes),
                false => u32::from_le_bytes(bytes),
            }
        };
        s0 = s0.wrapping_add(word(0)).wrapping_add(s1);
        s1 = s1.wrapping_add(word(4)).wrapping_add(s0);
    }
    (s0, s1)
}

fn be_u32(bytes: &[u8], offset: usize) -> u32 {
    u32::from_be_bytes([
        bytes[offset],
        bytes[offset + 1],
        bytes[offset + 2],
        bytes[offset + 3],
    ])
}
