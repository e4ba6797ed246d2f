//! コマンドラインの定義です。

mod deploy_cmd;

use clap::{ArgAction, Parser, Subcommand};

/// サブコマンドを持つコマンドのヘルプの形です。
pub const PARENT_TEMPLATE: &str =
    "{about}\n\n使い方: {usage}\n\nコマンド:\n{subcommands}\n\nオプション:\n{options}\n";
/// サブコマンドを持たないコマンドのヘルプの形です。
pub const LEAF_TEMPLATE: &str = "{about}\n\n使い方: {usage}\n\n{all-args}\n";

/// サブコマンドの名前です（使い方のエラーで、打ったコマンドのヘルプを案内するために使います）。
pub const COMMANDS: [&str; 7] = [
    "image",
    "attach",
    "detach",
    "upgrade-demo",
    "profiles",
    "bench",
    "report",
];

#[derive(Debug, Parser)]
#[command(
    name = "lab-4",
    override_usage = "lab-4 <コマンド> [オプション]",
    about = "第4章のラボ: WASMの/healthとSQLiteのメトリクスを持つkarui-svcを、ポータブルサービスとして配って更新します。",
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
    /// karui_VERSION.rawを作ります（karui-svcをmuslでビルドし、コンポーネントをコンパイルします）。
    #[command(help_template = LEAF_TEMPLATE, next_help_heading = "オプション", override_usage = "lab-4 image [オプション]")]
    Image(deploy_cmd::ImageArgs),
    /// ラボマシンにkarui_VERSION.rawをアタッチし、karui.socketを起動します。
    #[command(help_template = LEAF_TEMPLATE, next_help_heading = "オプション", override_usage = "lab-4 attach [オプション]")]
    Attach(deploy_cmd::AttachArgs),
    /// karuiのユニットを止め、イメージをデタッチします。記録（/var/lib/karui）は残します。
    #[command(help_template = LEAF_TEMPLATE, next_help_heading = "オプション", override_usage = "lab-4 detach")]
    Detach,
    /// 負荷をかけたまま、ソケットに触れずにv1からv2へ更新し、失敗と記録の数を確かめます。
    #[command(name = "upgrade-demo", help_template = LEAF_TEMPLATE, next_help_heading = "オプション", override_usage = "lab-4 upgrade-demo [オプション]")]
    UpgradeDemo(deploy_cmd::UpgradeArgs),
    /// プロファイルとWASMのエンジンの組み合わせを、ラボマシンで1つずつ起動して試します。
    #[command(help_template = LEAF_TEMPLATE, next_help_heading = "オプション", override_usage = "lab-4 profiles [オプション]")]
    Profiles(deploy_cmd::ProfilesArgs),
    /// エンジンごとのkarui-svcの起動時間とスループット、配る物の大きさを計測します（scripts/measure.shが使います）。
    #[command(help_template = LEAF_TEMPLATE, next_help_heading = "オプション", override_usage = "lab-4 bench [オプション]")]
    Bench(lab_4::bench::BenchArgs),
    /// 第5章の表と図を、各ラボの計測結果（JSON）から作ります（scripts/measure.shが使います）。
    #[command(help_template = LEAF_TEMPLATE, next_help_heading = "オプション", override_usage = "lab-4 report [オプション]")]
    Report(lab_4::report::ReportArgs),
}

/// コマンドを実行します。
pub fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Image(args) => deploy_cmd::image(args),
        Command::Attach(args) => deploy_cmd::attach(args),
        Command::Detach => deploy_cmd::detach(),
        Command::UpgradeDemo(args) => deploy_cmd::upgrade_demo(args),
        Command::Profiles(args) => deploy_cmd::profiles(args),
        Command::Bench(args) => lab_4::bench::run(args),
        Command::Report(args) => lab_4::report::run(args),
    }
}
