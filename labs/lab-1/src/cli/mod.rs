//! コマンドラインの定義と、clapの英語の文言を日本語に置き換える部分。

mod image_cmd;
mod machine_cmd;
mod portable_cmd;
mod upgrade_cmd;

use std::process::ExitCode;

use clap::error::{ContextKind, ErrorKind};
use clap::{ArgAction, Parser, Subcommand};
use lab_1::machine::Target;
use lab_1::portabled::{Portable, stage_image};

/// サブコマンドを持つコマンドのヘルプの形。
pub const PARENT_TEMPLATE: &str =
    "{about}\n\n使い方: {usage}\n\nコマンド:\n{subcommands}\n\nオプション:\n{options}\n";
/// サブコマンドを持たないコマンドのヘルプの形。
pub const LEAF_TEMPLATE: &str = "{about}\n\n使い方: {usage}\n\n{all-args}\n";

#[derive(Debug, Parser)]
#[command(
    name = "lab-1",
    override_usage = "lab-1 [オプション] <コマンド>",
    about = "第1章のラボ: systemdポータブルサービスを作り、アタッチし、更新します。",
    help_template = PARENT_TEMPLATE,
    disable_help_flag = true,
    disable_version_flag = true,
    disable_help_subcommand = true,
    subcommand_help_heading = "コマンド",
    next_help_heading = "オプション"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// ラボマシンではなく、このマシンのシステムバス（ホストのsystemd）を使います。
    #[arg(long, global = true)]
    host_bus: bool,
    /// ヘルプを表示します。
    #[arg(short = 'h', long = "help", action = ArgAction::Help, global = true)]
    help: Option<bool>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// ラボマシン（systemd-nspawnで起動した本物のsystemd）を操作します。
    #[command(help_template = PARENT_TEMPLATE, subcommand_help_heading = "コマンド", next_help_heading = "オプション")]
    Machine {
        #[command(subcommand)]
        action: machine_cmd::MachineAction,
    },
    /// マニフェストからイメージ（NAME_VERSION.rawかディレクトリ）を作ります。
    #[command(help_template = LEAF_TEMPLATE, next_help_heading = "オプション")]
    Build(image_cmd::BuildArgs),
    /// イメージの中身と問題を表示します（--portabledならportabledが読んだ中身）。
    #[command(help_template = LEAF_TEMPLATE, next_help_heading = "オプション")]
    Inspect {
        /// イメージのパス（.rawかディレクトリ）。
        image: std::path::PathBuf,
        /// ラボマシンのportabledにGetImageMetadataで読ませます。
        #[arg(long)]
        portabled: bool,
    },
    /// イメージをアタッチします。
    #[command(help_template = LEAF_TEMPLATE, next_help_heading = "オプション")]
    Attach(portable_cmd::AttachArgs),
    /// イメージを新しい版に置き換えます（--nowならサービスだけを再起動し、ソケットはそのままです）。
    #[command(help_template = LEAF_TEMPLATE, next_help_heading = "オプション")]
    Reattach(portable_cmd::AttachArgs),
    /// イメージをデタッチします。
    #[command(help_template = LEAF_TEMPLATE, next_help_heading = "オプション")]
    Detach {
        /// イメージのパスか名前（NAME_VERSION）。
        image: String,
        /// /runに置いたアタッチ（--runtime）を外します。
        #[arg(long)]
        runtime: bool,
        /// 先にユニットを止めます。
        #[arg(long)]
        now: bool,
    },
    /// portabledが見つけたイメージの一覧を表示します。
    #[command(help_template = LEAF_TEMPLATE, next_help_heading = "オプション")]
    List {
        /// JSONで出します。
        #[arg(long)]
        json: bool,
    },
    /// アタッチ済みのイメージのユニットの状態を表示します。
    #[command(help_template = LEAF_TEMPLATE, next_help_heading = "オプション")]
    Status {
        /// JSONで出します。
        #[arg(long)]
        json: bool,
    },
    /// 負荷をかけたままv1からv2へ3つの方法で更新し、失敗した件数を比べます。
    #[command(name = "upgrade-demo", help_template = LEAF_TEMPLATE, next_help_heading = "オプション")]
    UpgradeDemo(upgrade_cmd::UpgradeArgs),
}

/// サブコマンドを実行します。
pub fn run(cli: Cli) -> anyhow::Result<()> {
    let connect = || -> anyhow::Result<(Target, Portable)> {
        let target = Target::select(cli.host_bus)?;
        let portable = Portable::connect(&target.bus_address())?;
        Ok((target, portable))
    };
    match cli.command {
        Command::Machine { action } => machine_cmd::run(action),
        Command::Build(args) => image_cmd::build(args),
        Command::Inspect {
            image,
            portabled: false,
        } => image_cmd::inspect_offline(&image),
        Command::Inspect {
            image,
            portabled: true,
        } => {
            let (target, portable) = connect()?;
            let staged = stage_image(&target.root(), &image)?;
            let (os_release, units) = portable.metadata(&staged)?;
            println!("# os-release\n{os_release}");
            for (unit, text) in units {
                println!("# {unit}\n{text}");
            }
            Ok(())
        }
        Command::Attach(args) => {
            connect().and_then(|(target, portable)| portable_cmd::attach(&target, &portable, args))
        }
        Command::Reattach(args) => connect()
            .and_then(|(target, portable)| portable_cmd::reattach(&target, &portable, args)),
        Command::Detach {
            image,
            runtime,
            now,
        } => connect()
            .and_then(|(_, portable)| portable_cmd::detach(&portable, &image, runtime, now)),
        Command::List { json } => {
            connect().and_then(|(_, portable)| portable_cmd::list(&portable, json))
        }
        Command::Status { json } => {
            connect().and_then(|(target, portable)| portable_cmd::status(&target, &portable, json))
        }
        Command::UpgradeDemo(args) => upgrade_cmd::run(args, cli.host_bus),
    }
}

/// clapの使い方のエラーを日本語で表示し、終了コードを返します。ヘルプの表示もここを通ります。
pub fn report_usage_error(error: clap::Error) -> ExitCode {
    let context = |kind| error.get(kind).map(ToString::to_string).unwrap_or_default();
    let message = match error.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = error.print();
            return ExitCode::SUCCESS;
        }
        ErrorKind::UnknownArgument => {
            format!("引数`{}`は使えません。", context(ContextKind::InvalidArg))
        }
        ErrorKind::InvalidSubcommand => format!(
            "サブコマンド`{}`はありません。",
            context(ContextKind::InvalidSubcommand)
        ),
        ErrorKind::InvalidValue => format!(
            "`{}`に値`{}`は使えません。使える値: {}。",
            context(ContextKind::InvalidArg),
            context(ContextKind::InvalidValue),
            context(ContextKind::ValidValue)
        ),
        ErrorKind::MissingRequiredArgument => format!(
            "必要な引数{}がありません。",
            context(ContextKind::InvalidArg)
        ),
        ErrorKind::MissingSubcommand => "サブコマンドを指定してください。".to_owned(),
        ErrorKind::ValueValidation => format!(
            "`{}`の値が正しくありません: {}",
            context(ContextKind::InvalidArg),
            error.kind()
        ),
        _ => format!("引数を解釈できませんでした（{}）。", error.kind()),
    };
    eprintln!("エラー: {message}`lab-1 --help`で使い方を確認してください。");
    ExitCode::from(2)
}
