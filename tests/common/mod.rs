//! Helpers shared by the book checks: where things are, and how to read the book's sources.

// Each test binary uses only some of these helpers.
#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};

/// Returns the workspace root, where this package lives.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Returns the book's source folder.
pub fn book_src() -> PathBuf {
    root().join("book/src")
}

/// Lists every Markdown page of the book, except the generated tables, which pages include.
pub fn book_pages() -> Vec<PathBuf> {
    let mut pages = Vec::new();
    collect_markdown(&book_src(), &mut pages);
    pages.retain(|page| !page.starts_with(book_src().join("generated")));
    pages.sort();
    pages
}

fn collect_markdown(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap_or_else(|err| panic!("{}: {err}", dir.display())) {
        let path = entry.unwrap().path();
        if path.is_dir() {
            collect_markdown(&path, out);
        } else if path.extension().is_some_and(|ext| ext == "md") {
            out.push(path);
        }
    }
}

/// Reads a file as UTF-8, naming the path when that fails.
pub fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|err| panic!("{}: {err}", path.display()))
}

/// Path relative to the workspace root, for messages.
pub fn shown(path: &Path) -> String {
    path.strip_prefix(root())
        .unwrap_or(path)
        .display()
        .to_string()
}

/// True when a chapter page is marked as in preparation (準備中) near its top.
pub fn is_in_preparation(text: &str) -> bool {
    text.lines()
        .take(6)
        .any(|line| line.trim() == "> **準備中**")
}

/// Locates the mdBook binary that `scripts/setup.sh` installs, and fails with a Japanese
/// message saying how to get it when it is missing.
pub fn mdbook() -> PathBuf {
    let path = match std::env::var_os("KARUI_MDBOOK") {
        Some(path) => PathBuf::from(path),
        None => {
            let cache = std::env::var_os("KARUI_CACHE")
                .map(PathBuf::from)
                .unwrap_or_else(|| {
                    let home = std::env::var_os("HOME").expect("HOME が設定されていません。");
                    PathBuf::from(home).join(".cache/karui")
                });
            cache.join("tools/bin/mdbook")
        }
    };
    assert!(
        path.exists(),
        "mdBook が {} にありません。./scripts/setup.sh を実行してから、もう一度テストしてください。",
        path.display()
    );
    path
}

/// Decodes `%XX` escapes and the HTML entities mdBook writes in attributes.
pub fn decode_href(raw: &str) -> String {
    let raw = raw
        .replace("&amp;", "&")
        .replace("&quot;", "\"")
        .replace("&#39;", "'");
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|pair| std::str::from_utf8(pair).ok());
        match (
            bytes[i],
            hex.and_then(|pair| u8::from_str_radix(pair, 16).ok()),
        ) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}
