//! 各ラボが書いたMarkdownの表を読む小さな読み取り器です。
//! lab-1からlab-3は表をMarkdownで書くので、`lab-4 report`はその表を読みます。

/// Markdownの表1つです。
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl Table {
    /// 見出しが`name`の列の番号です。
    pub fn column(&self, name: &str) -> Option<usize> {
        self.header.iter().position(|h| h == name)
    }
}

/// 文章の中の表を、現れた順に返します。区切り行（`|---|`）は読み飛ばします。
pub fn tables(text: &str) -> Vec<Table> {
    let mut tables = Vec::new();
    let mut current: Option<Table> = None;
    for line in text.lines() {
        let line = line.trim();
        if !line.starts_with('|') {
            tables.extend(current.take());
            continue;
        }
        let cells = split_row(line);
        match current.as_mut() {
            None => {
                current = Some(Table {
                    header: cells,
                    rows: Vec::new(),
                })
            }
            Some(_) if is_separator(&cells) => {}
            Some(table) => table.rows.push(cells),
        }
    }
    tables.extend(current);
    tables
}

/// 表より前にある箇条書き（`- `で始まる行）です。計測したマシンの説明に使われています。
pub fn leading_bullets(text: &str) -> Vec<String> {
    text.lines()
        .take_while(|l| !l.trim_start().starts_with('|'))
        .filter(|l| l.starts_with("- "))
        .map(|l| l.trim_start_matches("- ").to_owned())
        .collect()
}

fn split_row(line: &str) -> Vec<String> {
    let inner = line.trim_matches('|');
    inner.split('|').map(|c| c.trim().to_owned()).collect()
}

fn is_separator(cells: &[String]) -> bool {
    cells
        .iter()
        .all(|c| !c.is_empty() && c.chars().all(|ch| matches!(ch, '-' | ':')))
}

/// セルの先頭の数値です（`126.1 ms`は126.1、`1 (自動コミット)`は1）。
pub fn leading_number(cell: &str) -> Option<f64> {
    let end = cell
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(cell.len());
    cell[..end].parse().ok()
}
