//! `lab-4 report`のテスト: 小さな固定の計測結果から、決まった表と整ったSVGができることを確かめます。

use std::path::Path;

use lab_4::report::{Inputs, Output, render};

/// 各ラボの計測結果の代わりに使う、小さな固定の入力です（`generated`の下のパスと中身）。
const FIXTURES: [(&str, &str); 6] = [
    (
        "lab-1/upgrade.md",
        r#"| 回 | 方法 | 送信 | 失敗 | v1の応答 | v2の応答 | 更新の操作（ms） | 失敗の内訳 | (b)の再起動の順 |
| ---: | --- | ---: | ---: | ---: | ---: | ---: | --- | --- |
| 1 | (a) ReattachImage + サービスだけ再起動 | 1000 | 0 | 800 | 200 | 300 | - | - |
| 1 | (b) portablectl reattach --now | 1000 | 4 | 800 | 196 | 400 | ConnectionReset 4 | サービスが先 |
| 2 | (a) ReattachImage + サービスだけ再起動 | 1200 | 0 | 900 | 300 | 310 | - | - |
| 2 | (b) portablectl reattach --now | 1100 | 2 | 800 | 298 | 420 | ConnectionReset 2 | サービスが先 |

イメージhello_2.rawの大きさ: 258048バイト（252 KiB）

計測したマシン: CPU テスト用、2コア、計測日時2026-01-01 00:00:00 +00:00
"#,
    ),
    (
        "lab-2/startup.md",
        r#"- CPU: テスト用（2コア）
- 計測日時: 2026-01-01 00:00:00 +00:00

| エンジン | コンパイル（.wasmから） | AOT成果物の読み込み | インスタンス化p50 / p99（プーリング + 事前インスタンス化） | インスタンス化p50 / p99（オンデマンド、毎回リンク） |
|---|---|---|---|---|
| cranelift | 100.0 ms | 0.5 ms | 10.0 µs / 20.0 µs | 30.0 µs / 60.0 µs |
| pulley | 80.0 ms | 0.2 ms | 12.0 µs / 22.0 µs | 32.0 µs / 62.0 µs |
"#,
    ),
    (
        "lab-2/throughput.md",
        r#"- CPU: テスト用（2コア）

| サーバー | リクエスト/秒 | ネイティブ比 | 失敗 | レイテンシp50 / p99 |
|---|---|---|---|---|
| ネイティブ（hyper） | 80000 | 1.00× | 0 | 80.0 µs / 200.0 µs |
| lab-2（cranelift） | 16000 | 0.20× | 0 | 400.0 µs / 900.0 µs |
"#,
    ),
    (
        "lab-3/bench.md",
        r#"- CPU: テスト用 (2 コア)
- ファイルシステム: ext4 (/)

| 方式 | journal_mode | synchronous | バッチ (行) | 行数 | 行/秒 | 基準比 |
| --- | --- | --- | ---: | ---: | ---: | ---: |
| 基準: 既定の設定 | DELETE | FULL | 1 (自動コミット) | 1000 | 1000 | 1.0× |
| WAL + NORMAL | WAL | NORMAL | 1 (自動コミット) | 1000 | 50000 | 50.0× |
| WAL + NORMAL でバッチ | WAL | NORMAL | 100 | 100000 | 200000 | 200.0× |
| WAL + NORMAL でバッチ | WAL | NORMAL | 10000 | 100000 | 1000000 | 1000.0× |
| node:sqlite | WAL | NORMAL | 1 (自動コミット) | 1000 | 25000 | 25.0× |
"#,
    ),
    (
        "lab-3/crate-count.txt",
        r#"53
"#,
    ),
    (
        "lab-4/bench.json",
        r#"{
  "machine": "- CPU: テスト用（2コア）\n- 計測日時: 2026-01-01 00:00:00 +00:00",
  "runs": 3,
  "connections": 8,
  "seconds": 5,
  "servers": [
    { "name": "native-health（静的ネイティブ）", "startup_ms": [1.0, 2.0, 1.5], "requests_per_sec": 100000.0, "failed": 0, "p50_us": 70.0, "p99_us": 170.0 },
    { "name": "karui-svc（pulley、.cwasm）", "startup_ms": [10.0, 12.0, 11.0], "requests_per_sec": 15000.0, "failed": 0, "p50_us": 500.0, "p99_us": 900.0 },
    { "name": "karui-svc（cranelift、.cwasm）", "startup_ms": [9.0, 10.0, 11.0], "requests_per_sec": 16000.0, "failed": 0, "p50_us": 480.0, "p99_us": 880.0 }
  ],
  "sizes": [
    { "name": "health.wasm（コンポーネント）", "docker_equivalent": "なし（ホストが別に要ります）", "bytes": 78000 },
    { "name": "native-health（静的ネイティブ、musl）", "docker_equivalent": "FROM scratchのイメージ", "bytes": 680000 },
    { "name": "Debian slimのrootfs + native-health", "docker_equivalent": "debian:bookworm-slimの上にバイナリを置いたイメージ", "bytes": 76000000 },
    { "name": "Debian minbaseのrootfs（debootstrapのまま）", "docker_equivalent": "aptのキャッシュと文書を残したベースイメージ", "bytes": 200000000 }
  ]
}
"#,
    ),
];

/// 固定の入力を`dir`に書きます。
fn write_fixtures(dir: &Path) {
    for (path, text) in FIXTURES {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
}

fn render_fixtures() -> Vec<Output> {
    let dir = tempfile::tempdir().unwrap();
    write_fixtures(dir.path());
    let inputs = Inputs::read(dir.path()).unwrap();
    render(&inputs).unwrap()
}

fn output<'a>(outputs: &'a [Output], name: &str) -> &'a str {
    &outputs
        .iter()
        .find(|o| o.name == name)
        .unwrap_or_else(|| panic!("{name}が出力にありません"))
        .text
}

#[test]
fn tables_from_fixtures() {
    let outputs = render_fixtures();
    for output in outputs.iter().filter(|o| o.name.ends_with(".md")) {
        let name = output.name.trim_end_matches(".md");
        insta::with_settings!({ omit_expression => true }, {
            insta::assert_snapshot!(format!("report_{name}"), output.text);
        });
    }
}

#[test]
fn report_is_deterministic() {
    let first: Vec<String> = render_fixtures().into_iter().map(|o| o.text).collect();
    let second: Vec<String> = render_fixtures().into_iter().map(|o| o.text).collect();
    assert_eq!(first, second);
}

#[test]
fn svg_plots_well_formed() {
    let outputs = render_fixtures();
    let svgs: Vec<&Output> = outputs
        .iter()
        .filter(|o| o.name.ends_with(".svg"))
        .collect();
    assert_eq!(svgs.len(), 5, "図は主張3、6（2つ）、7、8の5つです");
    for svg in svgs {
        assert!(
            svg.text.trim_start().starts_with("<svg"),
            "{}が<svgで始まりません",
            svg.name
        );
        assert!(
            svg.text.trim_end().ends_with("</svg>"),
            "{}が</svg>で終わりません",
            svg.name
        );
        assert_eq!(
            unbalanced_tag(&svg.text),
            None,
            "{}のタグが閉じていません",
            svg.name
        );
    }
}

#[test]
fn svg_labels_japanese() {
    let outputs = render_fixtures();
    let sizes = output(&outputs, "claim6-sizes.svg");
    assert!(
        sizes.contains("配る物の大きさ"),
        "題が日本語で入っていません"
    );
    assert!(
        sizes.contains("health.wasm（コンポーネント）"),
        "棒の名前が入っていません"
    );
}

#[test]
fn missing_input_names_command() {
    let dir = tempfile::tempdir().unwrap();
    let error = Inputs::read(dir.path()).unwrap_err().to_string();
    let error = error.replace(&dir.path().display().to_string(), "[DIR]");
    insta::assert_snapshot!("report_missing_input", error);
}

/// 開いたまま閉じていないか、対応しない閉じタグの名前です。整っていれば`None`です。
/// SVGの要素だけを見る簡単な検査で、属性の中の`<`や`>`は扱いません（plottersは書きません）。
fn unbalanced_tag(text: &str) -> Option<String> {
    let mut open: Vec<String> = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find('<') {
        let end = start + rest[start..].find('>')?;
        let tag = &rest[start + 1..end];
        rest = &rest[end + 1..];
        if tag.starts_with('?') || tag.starts_with('!') || tag.ends_with('/') {
            continue;
        }
        if let Some(name) = tag.strip_prefix('/') {
            if open.pop().as_deref() != Some(name.trim()) {
                return Some(name.to_owned());
            }
        } else {
            let name = tag.split_whitespace().next().unwrap_or_default();
            open.push(name.to_owned());
        }
    }
    open.pop()
}
