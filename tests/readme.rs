//! Checks that both READMEs open with the same two commands and that CI runs the second.

mod common;

use common::{read, root};

const COMMANDS: [&str; 2] = ["./scripts/book.sh serve", "./scripts/test.sh"];

/// Lines of the first fenced code block of a Markdown file.
fn first_code_block(text: &str) -> Vec<String> {
    text.split("```")
        .nth(1)
        .unwrap_or("")
        .lines()
        .skip(1)
        .map(|line| line.trim_start_matches("$ ").to_string())
        .collect()
}

#[test]
fn readmes_open_with_two_commands() {
    for name in ["README.md", "README.ja.md"] {
        let block = first_code_block(&read(&root().join(name)));
        for command in COMMANDS {
            assert!(
                block.iter().any(|line| line == command),
                "{name} の最初のコードブロックに {command} がありません。"
            );
        }
    }
}

#[test]
fn ci_runs_test_script() {
    let ci = read(&root().join(".ci/run"));
    assert!(
        ci.lines()
            .any(|line| line.trim() == "exec ./scripts/test.sh"),
        ".ci/run が ./scripts/test.sh を呼んでいません。"
    );
}
