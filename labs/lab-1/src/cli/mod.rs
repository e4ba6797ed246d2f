//! コマンドラインの定義と、clapの英語の文言を日本語に置き換える部分。

mod image_cmd;
mod machine_cmd;
mod portable_cmd;
mod upgrade_cmd;

use std::process::ExitCode;

use clap::error::{ContextKind, ErrorKind};
use clap::{ArgAction, Args, Parser, Subcommand};
use lab_1::machine::Target;
use lab_1::portabled::{Portable, stage_image};

/// サブコマンドを持つコマンドのヘルプの形。
pub const PARENT_TEMPLATE: &str =
    "{about}\n\n使い方: {usage}\n\nコマンド:\n{subcommands}\n\nオプション:\n{options}\n";
/// サブコマンドを持たないコマンドのヘルプの形。位置引数は`help_heading = "引数"`で「引数:」の下に出ます。
pub const LEAF_TEMPLATE: &str = "{about}\n\n使い方: {usage}\n\n{all-args}\n";

/// ラボマシンの代わりにホストのsystemdを使うかどうか。systemdに話すサブコマンドだけが持ちます。
#[derive(Debug, Clone, Copy, Args)]
pub struct BusArgs {
    /// ラボマシンではなく、このマシンのシステムバス（ホストのsystemd）を使います。
    #[arg(long)]
    pub host_bus: bool,
}

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
    /// ヘルプを表示します。
    #[arg(short = 'h', long = "help", action = ArgAction::Help, global = true)]
    help: Option<bool>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// ラボマシン（systemd-nspawnで起動した本物のsystemd）を操作します。
    #[command(
        override_usage = "lab-1 machine <コマンド>",
        help_template = PARENT_TEMPLATE,
        subcommand_help_heading = "コマンド",
        next_help_heading = "オプション"
    )]
    Machine {
        #[command(subcommand)]
        action: machine_cmd::MachineAction,
    },
    /// マニフェストからイメージ（NAME_VERSION.rawかディレクトリ）を作ります。
    #[command(
        override_usage = "lab-1 build [オプション] <マニフェスト>\n        lab-1 build [オプション] --hello <版>",
        help_template = LEAF_TEMPLATE,
        next_help_heading = "オプション"
    )]
    Build(image_cmd::BuildArgs),
    /// イメージの中身と問題を表示します（--portabledならportabledが読んだ中身）。
    #[command(
        override_usage = "lab-1 inspect [オプション] <イメージ>",
        help_template = LEAF_TEMPLATE,
        next_help_heading = "オプション"
    )]
    Inspect {
        /// イメージのパス（.rawかディレクトリ）。
        #[arg(value_name = "イメージ", help_heading = "引数")]
        image: std::path::PathBuf,
        /// ラボマシンのportabledにGetImageMetadataで読ませます。
        #[arg(long)]
        portabled: bool,
        /// --portabledのとき使うsystemd。
        #[command(flatten)]
        bus: BusArgs,
    },
    /// イメージをアタッチします。
    #[command(
        override_usage = "lab-1 attach [オプション] <イメージ>",
        help_template = LEAF_TEMPLATE,
        next_help_heading = "オプション"
    )]
    Attach(portable_cmd::AttachArgs),
    /// イメージを新しい版に置き換えます（--nowならサービスだけを再起動し、ソケットはそのままです）。
    #[command(
        override_usage = "lab-1 reattach [オプション] <イメージ>",
        help_template = LEAF_TEMPLATE,
        next_help_heading = "オプション"
    )]
    Reattach(portable_cmd::AttachArgs),
    /// イメージをデタッチします。
    #[command(
        override_usage = "lab-1 detach [オプション] <イメージ>",
        help_template = LEAF_TEMPLATE,
        next_help_heading = "オプション"
    )]
    Detach {
        /// イメージのパスか名前（NAME_VERSION）。
        #[arg(value_name = "イメージ", help_heading = "引数")]
        image: String,
        /// /runに置いたアタッチ（--runtime）を外します。
        #[arg(long)]
        runtime: bool,
        /// 先にユニットを止めます。
        #[arg(long)]
        now: bool,
        #[command(flatten)]
        bus: BusArgs,
    },
    /// portabledが見つけたイメージの一覧を表示します。
    #[command(
        override_usage = "lab-1 list [オプション]",
        help_template = LEAF_TEMPLATE,
        next_help_heading = "オプション"
    )]
    List {
        /// JSONで出します。
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        bus: BusArgs,
    },
    /// アタッチ済みのイメージのユニットの状態を表示します。
    #[command(
        override_usage = "lab-1 status [オプション]",
        help_template = LEAF_TEMPLATE,
        next_help_heading = "オプション"
    )]
    Status {
        /// JSONで出します。
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        bus: BusArgs,
    },
    /// 負荷をかけたままv1からv2へ3つの方法で更新し、失敗した件数を比べます。
    #[command(
        name = "upgrade-demo",
        override_usage = "lab-1 upgrade-demo [オプション]",
        help_template = LEAF_TEMPLATE,
        next_help_heading = "オプション"
    )]
    UpgradeDemo(upgrade_cmd::UpgradeArgs),
}

/// サブコマンドを実行します。
pub fn run(cli: Cli) -> anyhow::Result<()> {
    let connect = |bus: BusArgs| -> anyhow::Result<(Target, Portable)> {
        let target = Target::select(bus.host_bus, &rerun_command())?;
        let portable = Portable::connect(&target.bus_address())?;
        Ok((target, portable))
    };
    match cli.command {
        Command::Machine { action } => machine_cmd::run(action),
        Command::Build(args) => image_cmd::build(args),
        Command::Inspect {
            image,
            portabled: false,
            ..
        } => image_cmd::inspect_offline(&image),
        Command::Inspect {
            image,
            portabled: true,
            bus,
        } => {
            image_cmd::ensure_exists(&image)?;
            let (target, portable) = connect(bus)?;
            let staged = stage_image(&target.root(), &image)?;
            let (os_release, units) = portable.metadata(&staged)?;
            println!("# os-release\n{os_release}");
            for (unit, text) in units {
                println!("# {unit}\n{text}");
            }
            Ok(())
        }
        Command::Attach(args) => {
            portable_cmd::validate_local_image(&args.image)?;
            let (target, portable) = connect(args.bus)?;
            portable_cmd::attach(&target, &portable, args)
        }
        Command::Reattach(args) => {
            portable_cmd::validate_local_image(&args.image)?;
            let (target, portable) = connect(args.bus)?;
            portable_cmd::reattach(&target, &portable, args)
        }
        Command::Detach {
            image,
            runtime,
            now,
            bus,
        } => connect(bus).and_then(|(target, portable)| {
            portable_cmd::detach(&target, &portable, &image, runtime, now)
        }),
        Command::List { json, bus } => {
            connect(bus).and_then(|(_, portable)| portable_cmd::list(&portable, json))
        }
        Command::Status { json, bus } => connect(bus)
            .and_then(|(target, portable)| portable_cmd::status(&target, &portable, json)),
        Command::UpgradeDemo(args) => upgrade_cmd::run(args),
    }
}

/// rootで実行し直すときの、このコマンドライン全体（`cargo run -p lab-1 -- 引数…`）。
pub fn rerun_command() -> String {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .map(|arg| match arg.contains(char::is_whitespace) {
            true => format!("'{arg}'"),
            false => arg,
        })
        .collect();
    format!("cargo run -p lab-1 -- {}", args.join(" "))
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
