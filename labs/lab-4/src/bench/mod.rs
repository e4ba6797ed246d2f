//! 計測: karui-svcをエンジンと成果物ごとに手で起動し、起動時間とスループットを測ります。
//! あわせて、配る物の大きさを「Dockerで配るなら」の大きさと並べます。
//! 計測であってテストではありません。`labs/lab-4/measure.sh`から走らせます。

mod process;
pub mod render;
pub mod sizes;

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

pub use process::{Server, ServerKind};
pub use render::{render_sizes, render_startup, render_throughput};
pub use sizes::SizeRow;

/// `lab-4 bench`の引数です。
#[derive(Debug, clap::Args)]
pub struct BenchArgs {
    /// JSONと表を書くディレクトリです（既定: book/src/generated/lab-4）。
    #[arg(
        long,
        value_name = "DIR",
        default_value = "book/src/generated/lab-4",
        hide_default_value = true
    )]
    pub out: PathBuf,

    /// 同じ応答を返す静的ネイティブバイナリ（labs/lab-2/measure.shがビルドするnative-health）です。
    #[arg(long, value_name = "FILE")]
    pub native_bin: PathBuf,

    /// 起動時間を測る回数です。表には中央値を出します（既定: 7）。
    #[arg(long, value_name = "N", default_value_t = 7, hide_default_value = true)]
    pub runs: usize,

    /// スループットを測るときのkeep-alive接続の本数です（既定: 8）。
    #[arg(long, value_name = "N", default_value_t = 8, hide_default_value = true)]
    pub connections: usize,

    /// スループットを測る秒数です。サーバーごとにこの秒数だけ負荷をかけます（既定: 5）。
    #[arg(
        long,
        value_name = "SECONDS",
        default_value_t = 5,
        hide_default_value = true
    )]
    pub seconds: u64,

    /// Debianのrootfs（debootstrap --variant=minbase bookworm）を置くディレクトリです（既定: /var/cache/karui/debian-slim）。
    #[arg(
        long,
        value_name = "DIR",
        default_value = "/var/cache/karui/debian-slim",
        hide_default_value = true
    )]
    pub debian_cache: PathBuf,
}

/// 計測結果の全体です。`bench.json`にそのまま書き、`lab-4 report`が読みます。
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BenchResult {
    /// 計測したマシンの説明（Markdownの箇条書き）です。
    pub machine: String,
    /// 起動時間を測った回数です。
    pub runs: usize,
    /// スループットの負荷の接続数と秒数です。
    pub connections: usize,
    pub seconds: u64,
    /// サーバーごとの起動時間とスループットです。
    pub servers: Vec<ServerResult>,
    /// 配る物の大きさです。
    pub sizes: Vec<SizeRow>,
}

/// 1つのサーバー（エンジンと成果物の組み合わせ）の結果です。
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ServerResult {
    /// 表に出す名前です。
    pub name: String,
    /// execから`/health`の最初の200までの時間（ミリ秒）、回ごとです。
    pub startup_ms: Vec<f64>,
    /// 1秒あたりの成功したリクエスト数です。
    pub requests_per_sec: f64,
    /// 失敗したリクエストの数です。
    pub failed: u64,
    /// レイテンシの中央値と99パーセンタイル（マイクロ秒）です。
    pub p50_us: f64,
    pub p99_us: f64,
}

impl ServerResult {
    /// 起動時間の中央値（ミリ秒）です。
    pub fn startup_median_ms(&self) -> f64 {
        median(&self.startup_ms)
    }
}

/// 値の中央値です（偶数個なら中央の2つの平均）。空なら0です。
pub fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    match sorted.len() {
        0 => 0.0,
        n if n % 2 == 1 => sorted[n / 2],
        n => (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0,
    }
}

/// 計測して、`bench.json`と表（startup.md、throughput.md、sizes.md）を書きます。
pub fn run(args: BenchArgs) -> anyhow::Result<()> {
    anyhow::ensure!(
        args.native_bin.is_file(),
        "ネイティブバイナリ{}がありません。`sudo -E env \"PATH=$PATH\" bash labs/lab-4/measure.sh`で実行するか（ビルドもします）、`--native-bin`でパスを指定してください。",
        args.native_bin.display()
    );
    let work = tempfile::tempdir()?;
    let load_average = load_average_1min();

    // karui-svc（版1）、health.wasm、2つの.cwasmを用意し、karui_1.rawも作ります。
    eprintln!("karui-svcをビルドし、コンポーネントをコンパイルします。");
    let files_dir = work.path().join("files");
    std::fs::create_dir_all(&files_dir)?;
    let files = crate::image::build_files(1, &files_dir)?;
    let raw = crate::image::build_image(1, work.path())?;

    let servers = [
        Server::native(&args.native_bin),
        Server::karui(&files.svc, "pulley", &files.pulley_cwasm),
        Server::karui(&files.svc, "pulley", &files.pulley_cwasm).with_backtrace(),
        Server::karui(&files.svc, "cranelift", &files.cranelift_cwasm),
        Server::karui(&files.svc, "cranelift", &files.wasm),
    ];
    let mut results = Vec::new();
    for server in &servers {
        eprintln!("{}の起動時間とスループットを測ります。", server.name());
        results.push(measure_server(server, &args)?);
    }

    let sizes = sizes::measure(&files, &args.native_bin, &raw, &args.debian_cache)?;
    let result = BenchResult {
        machine: format!(
            "{}\n- 計測開始時のロードアベレージ（1分）: {load_average}",
            lab_2::machine::describe()
        ),
        runs: args.runs,
        connections: args.connections,
        seconds: args.seconds,
        servers: results,
        sizes,
    };
    write_outputs(&result, &args.out)
}

/// `/proc/loadavg`の1分の値です。ほかのプロセスが計測を乱していないかを、表を読む人が判断できるように残します。
fn load_average_1min() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|text| text.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "不明".to_owned())
}

/// 1つのサーバーを`runs`回起動して起動時間を測り、もう1回起動してスループットを測ります。
fn measure_server(server: &Server, args: &BenchArgs) -> anyhow::Result<ServerResult> {
    let mut startup_ms = Vec::with_capacity(args.runs);
    for _ in 0..args.runs {
        let running = server.start()?;
        startup_ms.push(running.startup.as_secs_f64() * 1e3);
    }

    // 記録の状態を持ち越さないよう、スループットも新しい状態ディレクトリで起動したものに測ります。
    let running = server.start()?;
    let client = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let duration = Duration::from_secs(args.seconds);
    let load = client.block_on(lab_2::loadgen::load(
        running.addr,
        args.connections,
        duration,
    ));
    drop(running);

    Ok(ServerResult {
        name: server.name(),
        startup_ms,
        requests_per_sec: load.rps(),
        failed: load.failed,
        p50_us: load.p50.as_secs_f64() * 1e6,
        p99_us: load.p99.as_secs_f64() * 1e6,
    })
}

/// `bench.json`と3つの表を書きます。表の頭には計測したマシンを付けます。
pub fn write_outputs(result: &BenchResult, out: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(out)?;
    let json = serde_json::to_string_pretty(result)? + "\n";
    std::fs::write(out.join("bench.json"), json)?;
    let tables = [
        ("startup.md", render_startup(result)),
        ("throughput.md", render_throughput(result)),
        ("sizes.md", render_sizes(&result.sizes)),
    ];
    for (name, table) in tables {
        let text = format!("{}\n\n{table}", result.machine);
        std::fs::write(out.join(name), text)?;
        eprintln!("書きました: {}", out.join(name).display());
    }
    Ok(())
}
