//! 入力を記録するサブコマンドです: ファイルからの取り込みと、/proc からの収集。

use std::io::{Read, Write};
use std::path::Path;
use std::time::Duration;

use anyhow::Context;
use serde_json::json;

use lab_3::Store;
use lab_3::collect::Collector;
use lab_3::import::{self, Format};
use lab_3::record::Written;
use lab_3::time::{format_local, now_ms, parse_duration_ms};

use super::args::{CollectArgs, ImportArgs, InputFormat};
use super::commands::output;
use super::render;

pub fn import_command(db: &Path, as_json: bool, args: &ImportArgs) -> anyhow::Result<()> {
    // 入力を全部読み、全行を検証してから書き始めます。
    let (name, bytes) = if args.file == "-" {
        let mut bytes = Vec::new();
        std::io::stdin()
            .read_to_end(&mut bytes)
            .context("標準入力を読めません")?;
        (import::STDIN_NAME.to_string(), bytes)
    } else {
        let bytes = std::fs::read(&args.file)
            .with_context(|| format!("`{}` を読めません。パスを確かめてください", args.file))?;
        (args.file.clone(), bytes)
    };
    let format = args.format.map(|f| match f {
        InputFormat::Csv => Format::Csv,
        InputFormat::Jsonl => Format::JsonLines,
    });
    let samples = import::parse(&name, &bytes, format)?;

    // バッチごとに 1 トランザクションで書きます。失敗したら、それまでにコミットした行数を伝えます。
    let mut store = Store::open(db)?;
    let mut committed = 0;
    let mut total = Written::default();
    for (index, chunk) in samples.chunks(args.batch_size as usize).enumerate() {
        let written = store.record_batch(chunk).with_context(|| {
            format!(
                "{committed} 行はコミット済みです。{} 行目以降を取り込み直してください",
                committed + 1
            )
        })?;
        committed += chunk.len();
        total.inserted += written.inserted;
        total.replaced += written.replaced;
        if args.progress {
            eprintln!(
                "バッチ {} をコミットしました（累計 {committed} 行）。",
                index + 1
            );
        }
    }
    // 同じメトリクス・同じ時刻の行は upsert で置き換わるので、新しい行と分けて伝えます。
    let value =
        json!({ "imported": committed, "inserted": total.inserted, "replaced": total.replaced });
    output(as_json, &value, || {
        format!(
            "{}から {committed} 行を取り込みました（新しい行 {}、同じメトリクス・時刻の値を置き換えた行 {}）。",
            import::shown_name(&name),
            total.inserted,
            total.replaced
        )
    })
}

pub fn collect_command(db: &Path, as_json: bool, args: &CollectArgs) -> anyhow::Result<()> {
    // /proc は Linux にしかありません。ストアを作る前に断ります。
    anyhow::ensure!(
        cfg!(target_os = "linux"),
        "collect は Linux の /proc を読むので、このOSでは使えません。Linux で実行するか、import でファイルから取り込んでください。"
    );
    let interval = parse_duration_ms(&args.interval).context("--interval")?;
    let interval = Duration::from_millis(interval as u64);
    let mut store = Store::open(db)?;
    let mut stdout = std::io::stdout().lock();
    let mut collector = Collector::new();

    // CPU 使用率は差分なので、記録しない 1 回目で基準を読んでおきます。
    collector.sample(now_ms())?;
    for round in 1..=args.count {
        std::thread::sleep(interval);
        let timestamp_ms = now_ms();
        let samples = collector.sample(timestamp_ms)?;
        store.record_batch(&samples)?;
        if as_json {
            writeln!(stdout, "{}", serde_json::to_string(&samples)?)?;
        } else {
            let values: Vec<String> = samples
                .iter()
                .map(|s| format!("{}={}", s.metric, render::number(s.value)))
                .collect();
            writeln!(
                stdout,
                "[{round}/{}] {} {}",
                args.count,
                format_local(timestamp_ms),
                values.join(" ")
            )?;
        }
    }
    Ok(())
}
