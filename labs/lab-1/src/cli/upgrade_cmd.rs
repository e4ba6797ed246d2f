//! `lab-1 upgrade-demo`: 3つの更新方法の失敗件数を計測して表示します。

use std::path::PathBuf;

use clap::Args;
use lab_1::machine::{Session, Target};
use lab_1::portabled::Portable;
use lab_1::upgrade::{self, Plan, report};

#[derive(Debug, Args)]
pub struct UpgradeArgs {
    /// hello-svcが待ち受けるホストのループバックのポート。
    #[arg(long, default_value_t = 18080)]
    pub port: u16,
    /// 3つの方法をくり返す回数。
    #[arg(long, default_value_t = 1)]
    pub rounds: u32,
    /// 結果をJSONで出します。
    #[arg(long)]
    pub json: bool,
    /// 結果のMarkdown (計測した機械の情報つき)をこのファイルに書きます。
    #[arg(long)]
    pub markdown: Option<PathBuf>,
}

pub fn run(args: UpgradeArgs, host_bus: bool) -> anyhow::Result<()> {
    // ラボマシンが止まっていれば起動し、終わったら止めます（起動済みならそのまま残します）。
    let session = match host_bus {
        true => None,
        false => Some(Session::start()?),
    };
    let target = match &session {
        Some(session) => Target::Machine(session.running),
        None => Target::select(true)?,
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
