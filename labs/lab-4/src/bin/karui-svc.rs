//! karui-svc: ポータブルサービスとして配るHTTPサーバーです。
//! systemdからソケットを受け取り（なければ自分でbindします）、`/health`と`/metrics`に答えます。

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;

// ANCHOR: allocator
// muslのmallocは、複数のスレッドからの確保と解放が多いと遅くなります。
// wasmtimeはリクエストごとに確保と解放をくり返すので、mimallocに替えます。
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
// ANCHOR_END: allocator

use lab_2::config::{EngineKind, EngineOptions, Limits};
use lab_2::engine::{EpochTicker, build_engine};
use lab_2::server::{Host, serve};
use lab_4::VERSION;
use lab_4::service::{App, state_dir_from_env};

/// WASMの/healthとSQLiteのメトリクスを1つにまとめたサービスです。
#[derive(Debug, Parser)]
#[command(
    name = "karui-svc",
    override_usage = "karui-svc [オプション]",
    help_template = "{about}\n\n使い方: {usage}\n\n{all-args}\n",
    next_help_heading = "オプション",
    disable_help_flag = true,
    disable_version_flag = true
)]
struct Args {
    /// /healthに答えるコンポーネント（.wasm、またはkarui-svcと同じエンジンでコンパイルした.cwasm）。既定はイメージの/usr/lib/karui/health-pulley.cwasmです。
    #[arg(
        long,
        value_name = "ファイル",
        default_value = "/usr/lib/karui/health-pulley.cwasm",
        hide_default_value = true
    )]
    component: PathBuf,
    /// WASMのエンジン（pulleyかcranelift、既定はpulley）。MemoryDenyWriteExecute=yesの下ではpulleyだけが動きます。
    #[arg(long, value_name = "エンジン", value_enum, default_value_t = EngineKind::Pulley, hide_default_value = true, hide_possible_values = true)]
    engine: EngineKind,
    /// 記録（requests.db）を置くディレクトリ。既定はsystemdが渡すSTATE_DIRECTORYです。
    #[arg(long, value_name = "ディレクトリ")]
    state_dir: Option<PathBuf>,
    /// ソケットを渡されなかったときに自分でbindするアドレス。既定は127.0.0.1:18090です。
    #[arg(
        long,
        value_name = "アドレス",
        default_value = "127.0.0.1:18090",
        hide_default_value = true
    )]
    listen: SocketAddr,
    /// 配信せずに、コンポーネントをこのエンジン向けにコンパイルしてこのファイルに書き、終了します。
    #[arg(long, value_name = "ファイル")]
    precompile: Option<PathBuf>,
    /// ヘルプを表示します。
    #[arg(short = 'h', long = "help", action = clap::ArgAction::Help)]
    help: Option<bool>,
}

fn main() -> ExitCode {
    // journaldが時刻を付けるので、ログには時刻も色も付けません。
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .without_time()
        .with_target(false)
        .init();
    let args = match Args::try_parse() {
        Ok(args) => args,
        Err(error) => return lab_2::cli::usage_error_for("karui-svc", &[], error),
    };
    match run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!("{error:#}");
            ExitCode::FAILURE
        }
    }
}

// ANCHOR: run
fn run(args: Args) -> anyhow::Result<()> {
    // 第2章のホストです。エンジンはプロセスに1つ、コンポーネントは起動時に1回だけ読み込みます。
    let options = EngineOptions::new(args.engine, Limits::default());
    let engine = build_engine(&options)
        .map_err(|e| anyhow::anyhow!("{}のエンジンを作れません: {e:#}", args.engine))?;
    if let Some(output) = &args.precompile {
        let report = lab_2::aot::compile(&engine, &args.component, output)?;
        println!("{}", report.render(args.engine));
        return Ok(());
    }
    let state_dir = state_dir_from_env(args.state_dir)?;
    let _ticker = EpochTicker::start(&engine);
    let host = Host::load(&engine, &args.component, options.limits)?;

    // 第3章のストアです。古いスキーマなら、ここでこの版まで上げます。
    let (app, writer) = App::open(host, &args.engine.to_string(), &state_dir)?;

    // 第1章のソケットアクティベーションです。渡されたソケットがなければ自分でbindします。
    let (listener, source) = lab_1::activation::take_listener(args.listen)?;
    listener.set_nonblocking(true)?;
    tracing::info!(?source, "待ち受けソケットを用意しました。");

    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::from_std(listener)?;
        tracing::info!(version = VERSION, engine = %args.engine, addr = %listener.local_addr()?, "配信を始めます。");
        serve(listener, app.clone(), lab_2::cli::shutdown_signal()).await
    })?;

    // 受け付け済みのリクエストを返し終えたので、記録を書き終えてから終了します。
    app.close();
    let written = writer.join().map_err(anyhow::Error::msg)?;
    tracing::info!(rows = written, "記録を書き終えて終了します。");
    Ok(())
}
// ANCHOR_END: run
