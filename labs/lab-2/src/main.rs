//! `lab-2`コマンド: コンポーネントの配信、AOTコンパイル、サンドボックスの実演、ベンチマーク。

use std::io::IsTerminal;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use lab_2::config::{EngineKind, EngineOptions, Limits};
use lab_2::engine::{EpochTicker, build_engine};
use lab_2::server::{Host, serve};

/// サブコマンドを持つコマンドのヘルプの形です。
const PARENT_TEMPLATE: &str = "{about}\n\n使い方: {usage}\n\n{all-args}\n";
/// サブコマンドのヘルプの形です。位置引数は「引数:」、オプションは「オプション:」の下に出ます。
const LEAF_TEMPLATE: &str = "{about}\n\n使い方: {usage}\n\n{all-args}{after-help}\n";

/// 第2章のラボ: wasmtimeでwasi:httpコンポーネントを配信します。
#[derive(Parser)]
#[command(
    name = "lab-2",
    help_template = PARENT_TEMPLATE,
    disable_help_flag = true,
    disable_version_flag = true,
    disable_help_subcommand = true,
    override_usage = "lab-2 <コマンド> [オプション]",
    subcommand_help_heading = "コマンド",
    next_help_heading = "オプション"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,

    /// ヘルプを表示します。
    #[arg(short, long, action = clap::ArgAction::Help, global = true, display_order = 999)]
    help: Option<bool>,
}

#[derive(Subcommand)]
enum Command {
    /// コンポーネントをHTTPで配信します（SIGTERMで新しい接続の受け付けをやめ、処理中の応答を最大10秒待ってから止まります）。
    #[command(
        help_template = LEAF_TEMPLATE,
        next_help_heading = "オプション",
        override_usage = "lab-2 serve [オプション] [COMPONENT]",
        after_help = SERVE_AFTER_HELP
    )]
    Serve(ServeArgs),

    /// コンポーネントをAOT成果物（.cwasm）にコンパイルします。
    #[command(help_template = LEAF_TEMPLATE, next_help_heading = "オプション", override_usage = "lab-2 compile [オプション] COMPONENT -o FILE")]
    Compile(CompileArgs),

    /// 組み込みのゲスト（.wasm）のパスとサイズを表示します。
    #[command(help_template = LEAF_TEMPLATE, next_help_heading = "オプション", override_usage = "lab-2 guests [--json]")]
    Guests(JsonArg),

    /// 敵対的なゲストを走らせ、何が起きたかを表にします。
    #[command(help_template = LEAF_TEMPLATE, next_help_heading = "オプション", override_usage = "lab-2 sandbox [オプション]")]
    Sandbox(SandboxArgs),

    /// 起動、スループット、サイズを計測し、Markdownの表を書き出します（テストではありません）。
    #[command(help_template = LEAF_TEMPLATE, next_help_heading = "オプション", override_usage = "lab-2 bench [オプション]")]
    Bench(BenchArgs),
}

/// `serve --help`の末尾に出す注意です。
const SERVE_AFTER_HELP: &str = "注意: .cwasmは検証されずにそのまま実行される機械語です。\n読み込むのは、このプログラムの`lab-2 compile`で自分が作ったファイルだけにしてください。\n偽の.cwasmは、サンドボックスの外でネイティブコードとして動きます。";

#[derive(Args)]
struct BenchArgs {
    /// 表を書き出すディレクトリです。省略すると標準出力に表示します。
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,

    /// インスタンス化を測る回数です（既定: 2000）。
    #[arg(
        long,
        value_name = "N",
        default_value_t = 2000,
        hide_default_value = true
    )]
    iterations: usize,

    /// 負荷をかける接続の数です（既定: 8）。
    #[arg(long, value_name = "N", default_value_t = 8, hide_default_value = true)]
    connections: usize,

    /// サーバーごとに負荷をかける秒数です（既定: 5）。
    #[arg(
        long,
        value_name = "SECS",
        default_value_t = 5,
        hide_default_value = true
    )]
    duration_secs: u64,

    /// 比較する`wasmtime`（wasmtime-cli）の実行ファイルです。
    #[arg(long, value_name = "PATH")]
    wasmtime_cli: Option<PathBuf>,

    /// サイズを比べる、同じ応答の静的ネイティブバイナリです。
    #[arg(long, value_name = "PATH")]
    native_bin: Option<PathBuf>,
}

#[derive(Args)]
struct SandboxArgs {
    /// cranelift（既定、ネイティブコード）かpulley（インタープリター）です。
    #[arg(long, value_enum, default_value_t = EngineKind::Cranelift, hide_default_value = true, hide_possible_values = true)]
    engine: EngineKind,

    /// 表ではなくJSONで出力します。
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
struct ServeArgs {
    /// 配信する.wasmか、`lab-2 compile`で作った.cwasmです（既定: 組み込みのhealth）。
    #[arg(value_name = "COMPONENT", help_heading = "引数")]
    component: Option<PathBuf>,

    /// 待ち受けるアドレスです（既定: 127.0.0.1:8080）。
    #[arg(long, default_value = "127.0.0.1:8080", hide_default_value = true)]
    addr: SocketAddr,

    #[command(flatten)]
    engine: EngineArg,

    #[command(flatten)]
    limits: LimitArgs,
}

#[derive(Args)]
struct CompileArgs {
    /// コンパイルするコンポーネント（.wasm）です。
    #[arg(value_name = "COMPONENT", help_heading = "引数")]
    component: PathBuf,

    /// 書き出すAOT成果物のパスです。
    #[arg(short, long, value_name = "FILE")]
    output: PathBuf,

    #[command(flatten)]
    engine: EngineArg,
}

#[derive(Args)]
struct EngineArg {
    /// cranelift（既定、ネイティブコード）かpulley（インタープリター）です。
    #[arg(long, value_enum, default_value_t = EngineKind::Cranelift, hide_default_value = true, hide_possible_values = true)]
    engine: EngineKind,
}

#[derive(Args)]
struct LimitArgs {
    /// 1リクエストの時間制限（ミリ秒）です（既定: 500）。
    #[arg(
        long,
        value_name = "MS",
        default_value_t = 500,
        hide_default_value = true
    )]
    timeout_ms: u64,

    /// ゲストの線形メモリ1つあたりの上限（MiB）です（既定: 16）。
    #[arg(
        long,
        value_name = "MIB",
        default_value_t = 16,
        hide_default_value = true
    )]
    memory_mib: usize,

    /// 応答本文の上限（KiB）です（既定: 1024）。
    #[arg(
        long,
        value_name = "KIB",
        default_value_t = 1024,
        hide_default_value = true
    )]
    max_body_kib: u64,

    /// 同時リクエストの上限です。超えたら503（既定: 64、最大1024）。
    #[arg(
        long,
        value_name = "N",
        default_value_t = 64,
        hide_default_value = true,
        value_parser = clap::value_parser!(u32).range(1..=1024)
    )]
    max_instances: u32,
}

#[derive(Args)]
struct JsonArg {
    /// 表ではなくJSONで出力します。
    #[arg(long)]
    json: bool,
}

impl LimitArgs {
    fn limits(&self) -> Limits {
        Limits {
            timeout: Duration::from_millis(self.timeout_ms),
            memory_bytes: self.memory_mib << 20,
            max_body_bytes: self.max_body_kib << 10,
            max_instances: self.max_instances,
        }
    }
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();

    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => return lab_2::cli::usage_error(err),
    };
    let result = match cli.command {
        Command::Serve(args) => run_serve(args),
        Command::Compile(args) => run_compile(args),
        Command::Guests(args) => lab_2::cli::print_guests(args.json),
        Command::Sandbox(args) => run_sandbox(args),
        Command::Bench(args) => run_bench(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("エラー: {err:#}");
            ExitCode::FAILURE
        }
    }
}

// ANCHOR: run_serve
/// エンジンとホストを用意し、SIGTERMかCtrl-Cまで配信します。
fn run_serve(args: ServeArgs) -> anyhow::Result<()> {
    let options = EngineOptions::new(args.engine.engine, args.limits.limits());
    let engine = build_engine(&options).map_err(engine_error)?;
    let _ticker = EpochTicker::start(&engine);

    let path = args
        .component
        .unwrap_or_else(|| lab_2::guests::health().into());
    let host = Arc::new(Host::load(&engine, &path, options.limits)?);

    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(args.addr).await.map_err(|e| {
            anyhow::anyhow!("{}で待ち受けられません: {e}。別の`--addr`を指定してください。", args.addr)
        })?;
        tracing::info!(addr = %listener.local_addr()?, engine = %options.kind, component = %path.display(), "配信を始めます。");
        serve(listener, host, lab_2::cli::shutdown_signal()).await?;
        tracing::info!("停止しました。");
        Ok(())
    })
}
// ANCHOR_END: run_serve

/// コンポーネントをAOT成果物にして書き出します。
fn run_compile(args: CompileArgs) -> anyhow::Result<()> {
    // コンパイルの結果は制限の値に依存しないので、既定の制限でエンジンを作ります。
    let options = EngineOptions::new(args.engine.engine, Limits::default());
    let engine = build_engine(&options).map_err(engine_error)?;
    let report = lab_2::aot::compile(&engine, &args.component, &args.output)?;
    println!("{}", report.render(options.kind));
    Ok(())
}

/// サンドボックスの実演を走らせ、表かJSONを表示します。
fn run_sandbox(args: SandboxArgs) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Runtime::new()?;
    let outcomes = runtime.block_on(lab_2::sandbox::run(args.engine))?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&outcomes)?);
    } else {
        println!("{}", lab_2::sandbox::render(&outcomes));
    }
    Ok(())
}

/// 3つの表を計測し、ファイルか標準出力に書きます。
fn run_bench(args: BenchArgs) -> anyhow::Result<()> {
    let options = lab_2::bench::BenchOptions {
        iterations: args.iterations,
        connections: args.connections,
        duration: Duration::from_secs(args.duration_secs),
        wasmtime_cli: args.wasmtime_cli,
        native_bin: args.native_bin,
    };
    let path = lab_2::guests::health();
    let runtime = tokio::runtime::Runtime::new()?;
    let tables = [
        (
            "startup.md",
            runtime.block_on(lab_2::bench::startup(path, &options))?,
        ),
        ("throughput.md", lab_2::bench::throughput(path, &options)?),
        ("sizes.md", lab_2::bench::sizes(path, &options)?),
    ];
    let machine = lab_2::machine::describe();
    for (name, table) in tables {
        let text = format!("{machine}\n\n{table}");
        match &args.out {
            Some(dir) => {
                std::fs::create_dir_all(dir)?;
                std::fs::write(dir.join(name), text)?;
                tracing::info!(file = %dir.join(name).display(), "表を書きました。");
            }
            None => println!("## {name}\n\n{text}"),
        }
    }
    Ok(())
}

/// エンジンを作れなかったときの日本語のエラーです。
fn engine_error(err: wasmtime::Error) -> anyhow::Error {
    anyhow::anyhow!(
        "wasmtimeのエンジンを作れません。`--engine`、`--memory-mib`、`--max-instances`の値を見直してください（{err:#}）。"
    )
}
