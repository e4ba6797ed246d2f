//! `lab-1 upgrade-demo`: 3つの更新方法の失敗件数を計測して表示します。

use std::path::PathBuf;

use clap::Args;
use lab_1::machine::{Session, Target};
use lab_1::portabled::Portable;
use lab_1::upgrade::{self, Plan, report};

#[derive(Debug, Args)]
pub struct UpgradeArgs {
    /// hello-svcが待ち受けるホストのループバックのポート。既定値は18080です。
    #[arg(
        long,
        value_name = "ポート",
        default_value_t = 18080,
        hide_default_value = true
    )]
    pub port: u16,
    /// 3つの方法をくり返す回数。既定値は1です。
    #[arg(
        long,
        value_name = "回数",
        default_value_t = 1,
        hide_default_value = true
    )]
    pub rounds: u32,
    /// 結果をJSONで出します。
    #[arg(long)]
    pub json: bool,
    /// 結果のMarkdown（計測したマシンの情報つき）をこのファイルに書きます。
    #[arg(long, value_name = "ファイル")]
    pub markdown: Option<PathBuf>,
    #[command(flatten)]
    pub bus: super::BusArgs,
}

pub fn run(args: UpgradeArgs) -> anyhow::Result<()> {
    let host_bus = args.bus.host_bus;
    if !host_bus {
        lab_1::machine::require_root(&super::rerun_command())?;
    }
    // ラボマシンが止まっていれば起動し、終わったら止めます（起動済みならそのまま残します）。
    let session = match host_bus {
        true => None,
        false => Some(Session::start()?),
    };
    let target = match &session {
        Some(session) => Target::Machine(session.running),
        None => Target::select(true, &super::rerun_command())?,
    };
    let portable = Portable::connect(&target.bus_address())?;
    let _lock = match host_bus {
        true => None,
        false => Some(lab_1::machine::lock_exclusive()?),
    };

    let work = tempfile::tempdir()?;
    let plan = Plan {
        port: args.port,
        ..Plan::default()
    };
    let outcomes = upgrade::run_all(&target, &portable, &plan, work.path(), args.rounds)?;
    let image_bytes = std::fs::metadata(work.path().join("hello_2.raw"))
        .map(|metadata| metadata.len())
        .unwrap_or(0);

    if args.json {
        println!("{}", serde_json::to_string_pretty(&outcomes)?);
    } else {
        println!("{}", report::table(&outcomes));
        println!("イメージhello_2.rawの大きさ: {image_bytes}バイト");
    }
    if let Some(path) = args.markdown {
        std::fs::write(&path, report::markdown(&outcomes, image_bytes))?;
        println!("{}に書きました。", path.display());
    }
    Ok(())
}
