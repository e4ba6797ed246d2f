//! `lab-4 image`、`attach`、`detach`、`upgrade-demo`、`profiles`: ラボマシンで配って試します。

use std::path::PathBuf;

use clap::Args;
use comfy_table::Table;
use lab_1::machine::{Session, Target};
use lab_1::portabled::Portable;
use lab_4::deploy::{self, EngineChoice};
use lab_4::image::build_image;

/// rootでないときに案内するコマンドです。
const SUDO_HINT: &str = "sudo -E env \"PATH=$PATH\" cargo run -p lab-4 --";

/// karui-svcの版です。
#[derive(Debug, Args)]
pub struct VersionArg {
    /// 版（1か2）。既定は1です。
    #[arg(long = "version", value_name = "版", default_value_t = 1, hide_default_value = true, value_parser = clap::value_parser!(u32).range(1..=2))]
    pub number: u32,
}

#[derive(Debug, Args)]
pub struct ImageArgs {
    #[command(flatten)]
    pub version: VersionArg,
    /// イメージを書くディレクトリ。既定はtarget/lab-4です。
    #[arg(
        long,
        value_name = "ディレクトリ",
        default_value = "target/lab-4",
        hide_default_value = true
    )]
    pub out: PathBuf,
}

#[derive(Debug, Args)]
pub struct AttachArgs {
    #[command(flatten)]
    pub version: VersionArg,
    /// プロファイル（default、nonetwork、strict、trusted）。既定はstrictです。
    #[arg(
        long,
        value_name = "名前",
        default_value = "strict",
        hide_default_value = true
    )]
    pub profile: String,
}

#[derive(Debug, Args)]
pub struct UpgradeArgs {
    /// v1とv2をアタッチするプロファイル。既定はstrictです。
    #[arg(
        long,
        value_name = "名前",
        default_value = "strict",
        hide_default_value = true
    )]
    pub profile: String,
    /// 結果をJSONで出します。
    #[arg(long)]
    pub json: bool,
    /// 結果のMarkdown（計測したマシンの情報つき）をこのファイルに書きます。
    #[arg(long, value_name = "ファイル")]
    pub markdown: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ProfilesArgs {
    /// 結果をJSONで出します。
    #[arg(long)]
    pub json: bool,
}

/// ラボマシンとportabledへの接続です。
struct Lab {
    /// このコマンドが起動したラボマシンなら、終わるときに止めます。
    _session: Option<Session>,
    target: Target,
    portable: Portable,
    _lock: std::fs::File,
}

/// 計測のコマンド用です。ラボマシンが止まっていれば起動し、終わったら止めます。
fn lab() -> anyhow::Result<Lab> {
    lab_1::machine::require_root(SUDO_HINT)?;
    let session = Session::start()?;
    let target = Target::Machine(session.running);
    connect(Some(session), target)
}

/// `attach`と`detach`用です。アタッチしたサービスが残るよう、起動中のラボマシンだけを使います。
fn running_lab() -> anyhow::Result<Lab> {
    let target = Target::select(false, SUDO_HINT)?;
    connect(None, target)
}

fn connect(session: Option<Session>, target: Target) -> anyhow::Result<Lab> {
    let portable = Portable::connect(&target.bus_address())?;
    let lock = lab_1::machine::lock_exclusive()?;
    Ok(Lab {
        _session: session,
        target,
        portable,
        _lock: lock,
    })
}

pub fn image(args: ImageArgs) -> anyhow::Result<()> {
    std::fs::create_dir_all(&args.out)?;
    let raw = build_image(args.version.number, &args.out)?;
    let bytes = std::fs::metadata(&raw)?.len();
    println!("{}を作りました（{bytes}バイト）。", raw.display());
    Ok(())
}

pub fn attach(args: AttachArgs) -> anyhow::Result<()> {
    let lab = running_lab()?;
    let work = tempfile::tempdir()?;
    let raw = build_image(args.version.number, work.path())?;
    deploy::cleanup(&lab.target, &lab.portable, false);
    let image = deploy::stage(&lab.target, &raw)?;
    deploy::attach(&lab.portable, &image, &args.profile)?;
    deploy::wait_for_version(&args.version.number.to_string(), 30)?;
    println!(
        "{image}を{}でアタッチしました。http://{}/health と /metrics に答えます。",
        args.profile,
        deploy::ADDRESS
    );
    Ok(())
}

pub fn detach() -> anyhow::Result<()> {
    let lab = running_lab()?;
    deploy::cleanup(&lab.target, &lab.portable, false);
    println!(
        "karuiのユニットを止め、イメージをデタッチしました。記録はラボマシンの/var/lib/private/karui（ホストでは{}）に残っています。",
        deploy::state_dir(&lab.target).display()
    );
    Ok(())
}

pub fn upgrade_demo(args: UpgradeArgs) -> anyhow::Result<()> {
    let lab = lab()?;
    let work = tempfile::tempdir()?;
    let v1 = deploy::stage(&lab.target, &build_image(1, work.path())?)?;
    let v2 = deploy::stage(&lab.target, &build_image(2, work.path())?)?;

    let plan = deploy::default_plan();
    let result = deploy::upgrade(&lab.target, &lab.portable, (&v1, &v2), &args.profile, &plan);
    deploy::cleanup(&lab.target, &lab.portable, false);
    let outcome = result?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&outcome)?);
        return Ok(());
    }

    let rows = deploy::upgrade_rows(&outcome, &args.profile);
    let mut table = Table::new();
    table.set_header(["項目", "値"]);
    for (item, value) in &rows {
        table.add_row([item, value]);
    }
    println!("{table}");
    if let Some(path) = args.markdown {
        std::fs::write(&path, upgrade_markdown(&rows))?;
        println!("{}に書きました。", path.display());
    }

    if outcome.report.failed > 0 {
        anyhow::bail!(
            "失敗したリクエストが{}件ありました（表の「失敗の種類」）。`sudo -E env \"PATH=$PATH\" ./scripts/lab-machine.sh shell journalctl -u karui.service`でサービスのログを確かめてください。",
            outcome.report.failed
        );
    }
    Ok(())
}

/// 更新の結果を、計測したマシンの情報つきのMarkdownの表にします（本が取り込みます）。
fn upgrade_markdown(rows: &[(String, String)]) -> String {
    let mut text = format!(
        "<!-- lab-4 upgrade-demoが書いたファイルです。手で直さないでください。 -->\n\n{}\n\n| 項目 | 値 |\n| --- | --- |\n",
        lab_2::machine::describe()
    );
    for (item, value) in rows {
        text.push_str(&format!("| {item} | {value} |\n"));
    }
    text
}

pub fn profiles(args: ProfilesArgs) -> anyhow::Result<()> {
    let lab = lab()?;
    let work = tempfile::tempdir()?;
    let image = deploy::stage(&lab.target, &build_image(1, work.path())?)?;
    let mut trials = Vec::new();
    for profile in ["default", "nonetwork", "strict", "trusted"] {
        for engine in EngineChoice::ALL {
            trials.push(deploy::try_profile(
                &lab.target,
                &lab.portable,
                &image,
                profile,
                engine,
            )?);
        }
    }
    deploy::cleanup(&lab.target, &lab.portable, false);
    if args.json {
        println!("{}", serde_json::to_string_pretty(&trials)?);
    } else {
        println!("{}", lab_4::deploy::trials_table(&trials));
    }
    Ok(())
}
