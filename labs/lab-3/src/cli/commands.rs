//! サブコマンドの実行です。ライブラリを呼び、結果を表か JSON で出力します。

use std::io::Write;
use std::path::Path;

use anyhow::Context;
use serde_json::json;

use lab_3::rollup::{Width, rollup};
use lab_3::time::{format_local, now_ms, parse_duration_ms, parse_timestamp};
use lab_3::validate::{MAX_TIMESTAMP_MS, MIN_TIMESTAMP_MS};
use lab_3::{Sample, Store};

use super::args::{
    Cli, Command, PruneArgs, QueryArgs, RecordArgs, RollupWidth, SummaryArgs, WindowArgs,
};
use super::{bench, ingest, render};

/// サブコマンドを実行します。
pub fn run(cli: Cli) -> anyhow::Result<()> {
    let db = cli.global.db.as_path();
    let as_json = cli.global.json;
    match cli.command {
        Command::Record(args) => record_command(db, as_json, args),
        Command::Import(args) => ingest::import_command(db, as_json, &args),
        Command::Collect(args) => ingest::collect_command(db, as_json, &args),
        Command::Query(args) => query_command(db, as_json, &args),
        Command::Summary(args) => summary_command(db, as_json, &args),
        Command::Rollup(args) => rollup_command(db, as_json, &args),
        Command::Prune(args) => prune_command(db, as_json, &args),
        Command::Stats => {
            let stats = Store::open_existing(db)?.stats()?;
            output(as_json, &stats, || render::stats(&stats))
        }
        Command::Check => check_command(db, as_json),
        Command::Backup(args) => {
            Store::open_existing(db)?.backup_to(&args.dest)?;
            output(as_json, &json!({ "backup": args.dest }), || {
                format!("`{}` にバックアップを取りました。", args.dest.display())
            })
        }
        Command::Bench(args) => bench::bench_command(&args),
    }
}

fn record_command(db: &Path, as_json: bool, args: RecordArgs) -> anyhow::Result<()> {
    let timestamp_ms = match &args.at {
        Some(text) => parse_timestamp(text).context("--at")?,
        None => now_ms(),
    };
    let sample = Sample::new(args.metric, timestamp_ms, args.value);
    Store::open(db)?.record(&sample)?;

    let text = || {
        let value = render::number(sample.value);
        let time = format_local(timestamp_ms);
        format!("記録しました: {} = {value} ({time})", sample.metric)
    };
    output(as_json, &json!({ "recorded": 1, "sample": sample }), text)
}

fn summary_command(db: &Path, as_json: bool, args: &SummaryArgs) -> anyhow::Result<()> {
    let (from_ms, to_ms) = window(&args.window)?;
    let store = Store::open_existing(db)?;
    match store.summary(&args.metric, from_ms, to_ms)? {
        Some(summary) => output(as_json, &summary, || render::summary(&summary)),
        None => output(as_json, &serde_json::Value::Null, || {
            format!("{} のサンプルは、指定した期間にありません。", args.metric)
        }),
    }
}

fn rollup_command(db: &Path, as_json: bool, args: &WindowArgs) -> anyhow::Result<()> {
    let (from_ms, to_ms) = window(args)?;
    let mut store = Store::open_existing(db)?;
    let minute = rollup(&mut store, Width::Minute, from_ms, to_ms)?;
    let hour = rollup(&mut store, Width::Hour, from_ms, to_ms)?;

    let value = json!({ "minute_buckets": minute, "hour_buckets": hour });
    output(as_json, &value, || {
        format!("ロールアップしました: 1 分のバケット {minute} 個、1 時間のバケット {hour} 個。")
    })
}

fn prune_command(db: &Path, as_json: bool, args: &PruneArgs) -> anyhow::Result<()> {
    let older_than = parse_duration_ms(&args.older_than).context("--older-than")?;
    let pruned = Store::open_existing(db)?.prune_older_than(now_ms() - older_than)?;

    output(as_json, &pruned, || {
        let cutoff = format_local(pruned.final_before_ms);
        format!(
            "{cutoff} より前をロールアップで確定し、それより古いサンプルを {} 行消しました。",
            pruned.deleted
        )
    })
}

/// 整合性チェックの結果を表示し、問題があれば非 0 で終わるようにエラーを返します。
fn check_command(db: &Path, as_json: bool) -> anyhow::Result<()> {
    let result = Store::open_existing(db)?.integrity_check()?;
    let ok = result == ["ok"];
    output(
        as_json,
        &json!({ "ok": ok, "integrity_check": result }),
        || {
            if ok {
                "整合性チェック: ok".to_string()
            } else {
                format!(
                    "整合性チェックで問題が見つかりました:\n{}",
                    result.join("\n")
                )
            }
        },
    )?;

    anyhow::ensure!(
        ok,
        "`{}` は壊れています。`lab-3 backup` で読める範囲を別のファイルに保存し、以前のバックアップから戻してください。",
        db.display()
    );
    Ok(())
}

/// `--json` なら JSON を、そうでなければ人向けの文を標準出力に書きます。
pub fn output<T: serde::Serialize>(
    as_json: bool,
    value: &T,
    text: impl FnOnce() -> String,
) -> anyhow::Result<()> {
    let mut stdout = std::io::stdout().lock();
    match as_json {
        true => writeln!(stdout, "{}", render::json(value))?,
        false => writeln!(stdout, "{}", text())?,
    }
    Ok(())
}

/// `--from`・`--to`・`--last` から `[from_ms, to_ms)` を決めます。エラーにはどのオプションかを添えます。
fn window(args: &WindowArgs) -> anyhow::Result<(i64, i64)> {
    let timestamp = |option: &str, text: &str| {
        parse_timestamp(text).map_err(|error| {
            anyhow::anyhow!(
                "{option}: {error}今から遡るなら `--last 1d` のように期間で指定できます。"
            )
        })
    };
    let to_ms = match &args.to {
        Some(text) => timestamp("--to", text)?,
        None => MAX_TIMESTAMP_MS,
    };
    let from_ms = match (&args.from, &args.last) {
        (Some(text), _) => timestamp("--from", text)?,
        (None, Some(last)) => now_ms() - parse_duration_ms(last).context("--last")?,
        (None, None) => MIN_TIMESTAMP_MS,
    };
    Ok((from_ms, to_ms))
}

fn query_command(db: &Path, as_json: bool, args: &QueryArgs) -> anyhow::Result<()> {
    let store = Store::open_existing(db)?;
    let Some(metric) = &args.metric else {
        let rows = store.latest()?;
        return output(as_json, &rows, || match rows.is_empty() {
            true => {
                "まだサンプルがありません。`lab-3 record` か `lab-3 collect` で記録してください。"
                    .to_string()
            }
            false => render::latest(&rows),
        });
    };

    let (from_ms, to_ms) = window(&args.window)?;
    match (&args.bucket, args.rollup) {
        (_, Some(width)) => {
            let width = match width {
                RollupWidth::Minute => Width::Minute,
                RollupWidth::Hour => Width::Hour,
            };
            let rows = store.rolled_up(metric, width, from_ms, to_ms)?;
            output(as_json, &rows, || render::buckets(&rows))
        }
        (Some(width), None) => {
            let width_ms = parse_duration_ms(width).context("--bucket")?;
            let rows = store.buckets(metric, from_ms, to_ms, width_ms)?;
            output(as_json, &rows, || render::buckets(&rows))
        }
        (None, None) => {
            let rows = store.range(metric, from_ms, to_ms)?;
            output(as_json, &rows, || render::points(metric, &rows))
        }
    }
}
