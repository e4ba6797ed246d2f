//! コマンドラインの定義です (clap derive)。ヘルプとエラーは日本語です。

use std::path::PathBuf;

use clap::{ArgAction, Args, Parser, Subcommand, ValueEnum};

/// 最上位のヘルプの形です。clap の既定の英語の見出しの代わりに使います。
const HELP_TEMPLATE: &str = "\
{about}

使い方: {usage}

{all-args}
";

/// サブコマンドのヘルプの形です。
const SUBCOMMAND_HELP_TEMPLATE: &str = "\
{about}

使い方: {usage}

{all-args}
";

#[derive(Debug, Parser)]
#[command(
    name = "lab-3",
    about = "組み込み SQLite (rusqlite の bundled) のメトリクスストアです。",
    help_template = HELP_TEMPLATE,
    subcommand_help_heading = "コマンド",
    next_help_heading = "オプション",
    disable_help_flag = true,
    disable_version_flag = true,
    disable_help_subcommand = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,

    #[command(flatten)]
    pub global: GlobalArgs,
}

#[derive(Debug, Args)]
#[command(next_help_heading = "オプション")]
pub struct GlobalArgs {
    /// データベースファイルのパスです。ないときに作るのは record・import・collect だけです。[既定: metrics.db]
    #[arg(
        long,
        global = true,
        value_name = "PATH",
        default_value = "metrics.db",
        hide_default_value = true
    )]
    pub db: PathBuf,

    /// 表の代わりに JSON を出力します (機械向け)。
    #[arg(long, global = true)]
    pub json: bool,

    /// ヘルプを表示します。
    #[arg(short = 'h', long, global = true, action = ArgAction::Help)]
    pub help: Option<bool>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// サンプルを 1 件記録します。ストアがなければ作ります。
    #[command(help_template = SUBCOMMAND_HELP_TEMPLATE)]
    Record(RecordArgs),

    /// CSV か JSON Lines のファイルからサンプルを取り込みます。ストアがなければ作ります。不正な行が 1 行でもあれば何も記録しません。
    #[command(help_template = SUBCOMMAND_HELP_TEMPLATE)]
    Import(ImportArgs),

    /// このマシンの負荷・メモリ・CPU を /proc から一定間隔で読み、記録します (Linux のみ)。ストアがなければ作ります。
    #[command(help_template = SUBCOMMAND_HELP_TEMPLATE)]
    Collect(CollectArgs),

    /// メトリクスごとの最新値、または 1 つのメトリクスの時系列・バケット集計・ロールアップを表示します。
    #[command(help_template = SUBCOMMAND_HELP_TEMPLATE)]
    Query(QueryArgs),

    /// 件数・最小・最大・平均・p50/p95/p99 を表示します。
    #[command(help_template = SUBCOMMAND_HELP_TEMPLATE)]
    Summary(SummaryArgs),

    /// 生のサンプルを 1 分と 1 時間のバケットに集計して保存します。prune で確定した期間は集計し直しません。
    #[command(help_template = SUBCOMMAND_HELP_TEMPLATE)]
    Rollup(WindowArgs),

    /// 古いサンプルを、先にロールアップしてから小さなバッチに分けて消します。境界は 1 時間単位に切り下げます。
    #[command(help_template = SUBCOMMAND_HELP_TEMPLATE)]
    Prune(PruneArgs),

    /// 行数・ページ数・ファイルの大きさを表示します。
    #[command(help_template = SUBCOMMAND_HELP_TEMPLATE)]
    Stats,

    /// PRAGMA integrity_check でデータベースの整合性を確かめます。
    #[command(help_template = SUBCOMMAND_HELP_TEMPLATE)]
    Check,

    /// 書き込みを止めずに、別のファイルへオンラインバックアップを取ります。
    #[command(help_template = SUBCOMMAND_HELP_TEMPLATE)]
    Backup(BackupArgs),

    /// 書き込みの方式ごとの速さを計測し、Markdown の表を書き出します (release ビルドで実行してください)。
    #[command(help_template = SUBCOMMAND_HELP_TEMPLATE)]
    Bench(BenchArgs),
}

#[derive(Debug, Args)]
#[command(next_help_heading = "オプション")]
pub struct RecordArgs {
    /// メトリクス名です (例: node_load1)。
    #[arg(help_heading = "引数")]
    pub metric: String,

    /// 値です。有限の数だけを受け付けます。
    #[arg(allow_negative_numbers = true, value_parser = parse_value, help_heading = "引数")]
    pub value: f64,

    /// 時刻です (RFC 3339 か Unix ミリ秒)。省略すると今の時刻です。
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum InputFormat {
    Csv,
    Jsonl,
}

#[derive(Debug, Args)]
#[command(next_help_heading = "オプション")]
pub struct ImportArgs {
    /// 取り込むファイルです。`-` なら標準入力から読みます。
    #[arg(value_name = "FILE|-", help_heading = "引数")]
    pub file: String,

    /// 入力の形式 (csv か jsonl) です。省略すると拡張子か最初の文字から決めます。
    #[arg(long, value_enum, hide_possible_values = true)]
    pub format: Option<InputFormat>,

    /// 1 つのトランザクションで書く行数です。[既定: 1000]
    #[arg(long, default_value_t = 1000, hide_default_value = true, value_parser = clap::value_parser!(u32).range(1..))]
    pub batch_size: u32,

    /// バッチをコミットするたびに、標準エラー出力に 1 行書きます。
    #[arg(long)]
    pub progress: bool,
}

#[derive(Debug, Args)]
#[command(next_help_heading = "オプション")]
pub struct CollectArgs {
    /// 読み取りの間隔です (例: 1s, 500ms)。[既定: 1s]
    #[arg(
        long,
        allow_hyphen_values = true,
        default_value = "1s",
        hide_default_value = true,
        value_name = "DURATION"
    )]
    pub interval: String,

    /// 読み取る回数です。[既定: 10]
    #[arg(long, default_value_t = 10, hide_default_value = true, allow_hyphen_values = true, value_parser = parse_count)]
    pub count: u32,
}

/// 時間窓の指定です。どれも省略すると、記録されている全期間です。
#[derive(Debug, Args)]
#[command(next_help_heading = "オプション")]
pub struct WindowArgs {
    /// 窓の始まりです (RFC 3339 か Unix ミリ秒、この時刻を含みます)。
    #[arg(long, value_name = "TIME")]
    pub from: Option<String>,

    /// 窓の終わりです (RFC 3339 か Unix ミリ秒、この時刻を含みません)。
    #[arg(long, value_name = "TIME")]
    pub to: Option<String>,

    /// 今から遡る期間です (例: 15m, 1h, 7d)。--from の代わりに使います。
    #[arg(long, value_name = "DURATION", conflicts_with = "from")]
    pub last: Option<String>,
}

#[derive(Debug, Args)]
#[command(next_help_heading = "オプション")]
pub struct QueryArgs {
    /// メトリクス名です。省略するとメトリクスごとの最新値を表示します。
    #[arg(help_heading = "引数")]
    pub metric: Option<String>,

    #[command(flatten)]
    pub window: WindowArgs,

    /// この幅のバケットごとに件数・最小・最大・平均を表示します (例: 1m, 1h)。
    #[arg(long, value_name = "DURATION", requires = "metric")]
    pub bucket: Option<String>,

    /// rollup で保存した幅 (1m か 1h) のバケットを表示します。prune で生のサンプルを消した期間も読めます。
    #[arg(
        long,
        value_name = "WIDTH",
        requires = "metric",
        conflicts_with = "bucket",
        value_enum,
        hide_possible_values = true
    )]
    pub rollup: Option<RollupWidth>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RollupWidth {
    #[value(name = "1m")]
    Minute,
    #[value(name = "1h")]
    Hour,
}

/// 記録する値を読みます。clap の既定の英語の代わりに、入力のままの綴りで日本語のエラーにします。
fn parse_value(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(value) if value.is_finite() => Ok(value),
        Ok(_) => Err(format!(
            "値 `{text}` は有限の数ではありません。NaN と ±inf は記録できません。"
        )),
        Err(_) => Err(format!(
            "値 `{text}` を数として読めません。`0.5` や `-3` のような数を指定してください。"
        )),
    }
}

/// 回数を読みます。
fn parse_count(text: &str) -> Result<u32, String> {
    text.parse().map_err(|_| {
        format!("回数 `{text}` を読めません。0 以上の整数 (例: 10) を指定してください。")
    })
}

#[derive(Debug, Args)]
#[command(next_help_heading = "オプション")]
pub struct SummaryArgs {
    /// メトリクス名です。
    #[arg(help_heading = "引数")]
    pub metric: String,

    #[command(flatten)]
    pub window: WindowArgs,
}

#[derive(Debug, Args)]
#[command(next_help_heading = "オプション")]
pub struct PruneArgs {
    /// これより古いサンプルを消します (例: 7d, 12h)。
    #[arg(long, value_name = "DURATION", required = true)]
    pub older_than: String,
}

#[derive(Debug, Args)]
#[command(next_help_heading = "オプション")]
pub struct BackupArgs {
    /// バックアップ先のファイルです。すでにあれば上書きしません。
    #[arg(help_heading = "引数")]
    pub dest: PathBuf,
}

#[derive(Debug, Args)]
#[command(next_help_heading = "オプション")]
pub struct BenchArgs {
    /// 計測用のデータベースを作るディレクトリです。tmpfs ではなく実際のディスクを指定してください。[既定: lab-3-bench.tmp]
    #[arg(
        long,
        default_value = "lab-3-bench.tmp",
        hide_default_value = true,
        value_name = "DIR"
    )]
    pub dir: PathBuf,

    /// 結果の Markdown (bench.md と、Node があれば node-sqlite.md) を書くディレクトリです。省略すると標準出力に書きます。
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,

    /// 1 行ずつ自動コミットする方式で書く行数です。[既定: 1000]
    #[arg(long, default_value_t = 1000, hide_default_value = true)]
    pub autocommit_rows: usize,

    /// 各方式を繰り返す回数です。表には中央値を載せます。[既定: 3]
    #[arg(long, default_value_t = 3, hide_default_value = true)]
    pub repeats: usize,

    /// バッチの方式で書く行数です。[既定: 500000]
    #[arg(long, default_value_t = 500_000, hide_default_value = true)]
    pub batched_rows: usize,

    /// node:sqlite を比べるときの Node (22.5 以降) のパスです。
    #[arg(long, value_name = "PATH", requires = "node_script")]
    pub node: Option<PathBuf>,

    /// node:sqlite の計測スクリプト (labs/lab-3/bench/node-sqlite.mjs) のパスです。
    #[arg(long, value_name = "PATH", requires = "node")]
    pub node_script: Option<PathBuf>,
}
