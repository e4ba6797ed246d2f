//! Checks on the book's Markdown sources: chapters name real labs, listings and output are
//! included from files that tests produce or check, and every include resolves.

mod common;

use std::path::{Path, PathBuf};

use common::{book_pages, book_src, is_in_preparation, read, root, shown};
use pulldown_cmark::{CodeBlockKind, Event, Parser, Tag, TagEnd};
use regex::Regex;

/// One `{{#include …}}` or `{{#rustdoc_include …}}` directive.
struct Include {
    page: PathBuf,
    target: PathBuf,
    /// What follows the path: an anchor name, a line range, or nothing.
    selector: Option<String>,
}

fn includes_of(page: &Path) -> Vec<Include> {
    includes_in(page, &read(page))
}

/// Include directives found in `text`, with paths resolved against the page's folder.
fn includes_in(page: &Path, text: &str) -> Vec<Include> {
    let directive = Regex::new(r"\{\{#(?:include|rustdoc_include)\s+([^}\s]+)\s*\}\}").unwrap();
    directive
        .captures_iter(text)
        .map(|captures| {
            let argument = &captures[1];
            let (path, selector) = match argument.split_once(':') {
                Some((path, selector)) => (path, Some(selector.to_string())),
                None => (argument, None),
            };
            Include {
                page: page.to_path_buf(),
                target: page.parent().unwrap().join(path),
                selector,
            }
        })
        .collect()
}

/// Fenced and indented code blocks of a page: (language, body).
fn code_blocks(text: &str) -> Vec<(String, String)> {
    let mut blocks = Vec::new();
    let mut current: Option<(String, String)> = None;
    for event in Parser::new(text) {
        match event {
            Event::Start(Tag::CodeBlock(kind)) => {
                let language = match kind {
                    CodeBlockKind::Fenced(info) => {
                        info.split([',', ' ']).next().unwrap_or("").to_string()
                    }
                    CodeBlockKind::Indented => String::new(),
                };
                current = Some((language, String::new()));
            }
            Event::Text(body) => {
                if let Some((_, text)) = current.as_mut() {
                    text.push_str(&body);
                }
            }
            Event::End(TagEnd::CodeBlock) => blocks.extend(current.take()),
            _ => {}
        }
    }
    blocks
}

/// Line number (1-based) of the first body line of an insta snapshot, after its `---` header.
fn snapshot_body_line(snapshot: &str) -> Option<usize> {
    let mut delimiters = snapshot
        .lines()
        .enumerate()
        .filter(|(_, line)| *line == "---");
    delimiters.next()?;
    delimiters.next().map(|(index, _)| index + 2)
}

#[test]
fn chapters_name_existing_labs() {
    let lab_name = Regex::new(r"\blab-(\d+)\b").unwrap();
    let chapter = Regex::new(r"^ch0?(\d+)$").unwrap();
    let mut checked = 0;

    for page in book_pages() {
        let folder = page
            .parent()
            .unwrap()
            .file_name()
            .unwrap()
            .to_string_lossy()
            .to_string();
        let Some(number) = chapter.captures(&folder).map(|c| c[1].to_string()) else {
            continue;
        };
        if page.file_name().unwrap() != "index.md" {
            continue;
        }
        let text = read(&page);
        if is_in_preparation(&text) {
            continue;
        }

        let named: Vec<String> = lab_name
            .captures_iter(&text)
            .map(|c| c[1].to_string())
            .collect();
        assert!(
            !named.is_empty(),
            "{} はラボを名指ししていません (`lab-N`)。",
            shown(&page)
        );
        if number.parse::<u32>().unwrap() <= 4 {
            assert!(
                named.contains(&number),
                "{} は自分のラボ lab-{number} を名指ししていません。",
                shown(&page)
            );
        }
        for lab in named {
            let manifest = root().join(format!("labs/lab-{lab}/Cargo.toml"));
            assert!(
                manifest.exists(),
                "{} が名指しする lab-{lab} がありません。",
                shown(&page)
            );
        }
        checked += 1;
    }

    assert!(checked > 0, "準備中でない章がありません。");
}

#[test]
fn code_blocks_are_included() {
    let directive = Regex::new(r"^\{\{#(include|rustdoc_include)\s+[^}]+\}\}$").unwrap();
    for page in book_pages() {
        for (language, body) in code_blocks(&read(&page)) {
            for line in body.lines().map(str::trim).filter(|line| !line.is_empty()) {
                if language == "console" {
                    assert!(
                        line.starts_with("$ "),
                        "{}: console ブロックには読者が打つコマンド (`$ ` で始まる行) だけを書きます。出力はスナップショットから取り込んでください: {line}",
                        shown(&page)
                    );
                } else {
                    assert!(
                        directive.is_match(line),
                        "{}: {language} ブロックに手書きの行があります。ラボのコードかスナップショットから {{{{#include}}}} で取り込んでください: {line}",
                        shown(&page)
                    );
                }
            }
        }
    }
}

#[test]
fn output_blocks_come_from_checked_files() {
    for page in book_pages() {
        let text = read(&page);
        for (language, body) in code_blocks(&text) {
            if language != "text" {
                continue;
            }
            for include in includes_in(&page, &body) {
                let target = include.target.to_string_lossy();
                assert!(
                    target.ends_with(".snap") || target.contains("/generated/"),
                    "{}: text ブロックの出力は .snap か book/src/generated/ から取り込みます: {target}",
                    shown(&page)
                );
            }
        }
    }
}

#[test]
fn includes_resolve() {
    let mut count = 0;
    for page in book_pages() {
        for include in includes_of(&page) {
            count += 1;
            let where_ = format!("{} → {}", shown(&include.page), include.target.display());
            assert!(
                include.target.is_file(),
                "{where_}: 取り込むファイルがありません。"
            );
            let text = read(&include.target);

            let Some(selector) = include.selector.as_deref() else {
                continue;
            };
            let first = selector.split(':').next().unwrap_or("");
            if first.is_empty() || first.chars().all(|c| c.is_ascii_digit()) {
                let start: usize = first.parse().unwrap_or(1);
                assert!(
                    start <= text.lines().count(),
                    "{where_}: {start} 行目がありません。"
                );
            } else {
                assert!(
                    text.contains(&format!("ANCHOR: {first}")),
                    "{where_}: ANCHOR: {first} がありません。"
                );
                assert!(
                    text.contains(&format!("ANCHOR_END: {first}")),
                    "{where_}: ANCHOR_END: {first} がありません。"
                );
            }
        }
    }
    assert!(count > 0, "本に {{{{#include}}}} が1つもありません。");
}

#[test]
fn snapshot_includes_skip_header() {
    for page in book_pages() {
        for include in includes_of(&page) {
            if include.target.extension().is_none_or(|ext| ext != "snap")
                || !include.target.is_file()
            {
                continue;
            }
            let body = snapshot_body_line(&read(&include.target));
            let expected = body.map(|line| format!("{line}:"));
            assert_eq!(
                include.selector,
                expected,
                "{} → {}: スナップショットはヘッダーの次の行から取り込みます。",
                shown(&include.page),
                include.target.display()
            );
        }
    }
}

#[test]
fn summary_lists_every_page() {
    let summary = read(&book_src().join("SUMMARY.md"));
    for page in book_pages() {
        let relative = page
            .strip_prefix(book_src())
            .unwrap()
            .to_string_lossy()
            .to_string();
        if relative == "SUMMARY.md" {
            continue;
        }
        assert!(
            summary.contains(&format!("]({relative})")),
            "{} が SUMMARY.md にありません。",
            shown(&page)
        );
    }
}
