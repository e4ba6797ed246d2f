//! Builds the book with the pinned mdBook and checks its internal links and heading anchors.

mod common;

use std::collections::{HashMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::{decode_href, mdbook, root};
use regex::Regex;

/// Pages mdBook generates besides the chapters; their links are checked through the chapters.
const GENERATED_PAGES: [&str; 3] = ["print.html", "toc.html", "404.html"];

fn build_book(out: &Path) -> String {
    let output = Command::new(mdbook())
        .arg("build")
        .arg(root().join("book"))
        .arg("--dest-dir")
        .arg(out)
        .output()
        .expect("mdbook を起動できません。");
    let log = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(output.status.success(), "本のビルドに失敗しました:\n{log}");
    log
}

fn html_pages(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            html_pages(&path, out);
        } else if path.extension().is_some_and(|ext| ext == "html") {
            out.push(path);
        }
    }
}

#[test]
fn book_builds_and_links_resolve() {
    let out = tempfile::tempdir().unwrap();
    let log = build_book(out.path());
    assert!(
        !log.contains("WARN"),
        "本のビルドが警告を出しました:\n{log}"
    );
    assert!(
        !log.contains("ERROR"),
        "本のビルドがエラーを出しました:\n{log}"
    );

    let id = Regex::new(r#"\bid="([^"]+)""#).unwrap();
    let href = Regex::new(r#"\bhref="([^"]+)""#).unwrap();
    let mut pages = Vec::new();
    html_pages(out.path(), &mut pages);
    let ids: HashMap<PathBuf, HashSet<String>> = pages
        .iter()
        .map(|page| {
            let html = fs::read_to_string(page).unwrap();
            (
                page.clone(),
                id.captures_iter(&html)
                    .map(|c| decode_href(&c[1]))
                    .collect(),
            )
        })
        .collect();

    let mut checked = 0;
    for page in &pages {
        let name = page
            .strip_prefix(out.path())
            .unwrap()
            .to_string_lossy()
            .to_string();
        if GENERATED_PAGES.contains(&name.as_str()) {
            continue;
        }
        let html = fs::read_to_string(page).unwrap();
        for link in href.captures_iter(&html).map(|c| decode_href(&c[1])) {
            if link.contains("://") || link.starts_with("mailto:") || link.starts_with("//") {
                continue;
            }
            let (path, fragment) = link.split_once('#').unwrap_or((&link, ""));
            let target = if path.is_empty() {
                page.clone()
            } else {
                page.parent().unwrap().join(path)
            };
            let target = target.canonicalize().unwrap_or(target);
            assert!(target.exists(), "{name}: リンク先 {link} がありません。");
            if !fragment.is_empty() && target.extension().is_some_and(|ext| ext == "html") {
                let anchors = &ids[&target];
                assert!(
                    anchors.contains(fragment),
                    "{name}: リンク先 {link} に見出し #{fragment} がありません。"
                );
            }
            checked += 1;
        }
    }
    assert!(checked > 0, "確かめたリンクが1つもありません。");
}
