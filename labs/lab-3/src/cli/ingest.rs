//! 入力を記録するサブコマンドです: ファイルからの取り込みと、/proc からの収集。

use std::io::Read;
use std::path::Path;
use std::time::Duration;

use anyhow::Context;
use serde_json::json;

use lab_3::Store;
use lab_3::collect::Collector;
use lab_3::import::{self, Format};
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
        ("標準入力".to_string(), bytes)
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
    for (index, chunk) in samples.chunks(args.batch_size as usize).enumerate() {
        store.record_batch(chunk).with_context(|| {
            format!(
                "{committed} 行はコミット済みです。{} 行目以降を取り込み直してください",
                committed + 1
            )
        })?;
        committed += chunk.len();
        if args.progress {
            eprintln!(
                "バッチ {} をコミットしました（累計 {committed} 行）。",
                index + 1
            );
        }
    }
    output(as_json, &json!({ "imported": committed }), || {
        format!("`{name}` から {committed} 行を取り込みました。")
    })
}

pub fn collect_command(db: &Path, as_json: bool, args: &CollectArgs) -> anyhow::Result<()> {
    let interval = Duration::from_millis(parse_duration_ms(&args.interval)?.max(0) as u64);
    let mut store = Store::open(db)?;
    let mut collector = Collector::new();

    // CPU 使用率は差分なので、記録しない 1 回目で基準を読んでおきます。
    collector.sample(now_ms())?;
    for round in 1..=args.count {
        std::thread::sleep(interval);
        let timestamp_ms = now_ms();
        let samples = collector.sample(timestamp_ms)?;
        store.record_batch(&samples)?;
        if as_json {
            println!("{}", serde_json::to_string(&samples)?);
        } else {
            let values: Vec<String> = samples
                .iter()
                .map(|s| format!("{}={}", s.metric, render::number(s.value)))
                .collect();
            println!(
                "[{round}/{}] {} {}",
                args.count,
                format_local(timestamp_ms),
                values.join(" ")
            );
        }
    }
    Ok(())
}
