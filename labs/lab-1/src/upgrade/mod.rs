//! ゼロダウンタイム更新の計測: 負荷をかけたままhello-svcをv1からv2に入れ替え、失敗した件数を数えます。
//!
//! 3つの方法を同じ条件で比べます。
//! - (a) ReattachImage、Reloadのあとサービスだけを再起動し、ソケットには触れません。
//! - (b) `portablectl reattach --now`（ソケットユニットも再起動します）。
//! - (c) ソケットアクティベーションなしで、サービスが自分でbindします。

pub mod hello_image;
pub mod load;
pub mod order;

use std::net::SocketAddr;
use std::path::Path;
use std::thread;
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::image::build_raw;
use crate::machine::Target;
use crate::portabled::{AttachOptions, Portable, PortableError, stage_image};
use hello_image::hello_manifest;
use load::{Load, LoadReport};
use order::RestartOrder;

// ANCHOR: plan
/// 計測の上限と条件。
#[derive(Debug, Clone)]
pub struct Plan {
    pub port: u16,
    /// 同時に負荷をかけるスレッドの数。
    pub workers: usize,
    /// 更新の前に送る件数。
    pub before: u64,
    /// 合計でこれだけ送り、v2の応答を`after`件受け取るまで続けます。
    pub min_requests: u64,
    pub after: u64,
    /// 件数と時間の上限。どちらかに達すると、v2の応答がなくても止めます。
    pub max_requests: u64,
    pub max_duration: Duration,
}

impl Default for Plan {
    fn default() -> Self {
        Self {
            port: 18080,
            workers: 4,
            before: 1000,
            min_requests: 3000,
            after: 1000,
            max_requests: 50_000,
            max_duration: Duration::from_secs(60),
        }
    }
}
// ANCHOR_END: plan

/// 更新の方法。
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Method {
    /// (a) ReattachImage + Reload + サービスだけ再起動。
    SocketKept,
    /// (b) `portablectl reattach --now`。
    PortablectlNow,
    /// (c) ソケットアクティベーションなし。
    NoSocket,
}

impl Method {
    pub const ALL: [Method; 3] = [Method::SocketKept, Method::PortablectlNow, Method::NoSocket];

    pub fn label(self) -> &'static str {
        match self {
            Method::SocketKept => "(a) ReattachImage + サービスだけ再起動",
            Method::PortablectlNow => "(b) portablectl reattach --now",
            Method::NoSocket => "(c) ソケットアクティベーションなし",
        }
    }
}

/// 1つの方法の結果。
#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    /// 何回目の計測か（1から）。
    pub round: u32,
    pub method: Method,
    pub report: LoadReport,
    /// 更新の操作（リアタッチから再起動まで）にかかった時間（ミリ秒）。
    pub upgrade_ms: u128,
    /// (b)だけ: ユニットを再起動した順と、ソケットの起動が拒まれたか。ログを読めなければ`None`です。
    pub restart_order: Option<RestartOrder>,
}

/// 計測が失敗したときのエラー。
#[derive(Debug, thiserror::Error)]
pub enum UpgradeError {
    #[error(transparent)]
    Portable(#[from] PortableError),
    #[error(transparent)]
    Build(#[from] crate::image::build::BuildError),
    #[error(transparent)]
    Hello(#[from] hello_image::HelloBuildError),
    #[error(
        "{service}が{seconds}秒以内に応答しませんでした。`lab-1 machine shell journalctl -u hello.service`で確認してください。"
    )]
    NotServing { service: String, seconds: u64 },
    #[error("`portablectl reattach --now`を実行できません: {0}")]
    Portablectl(String),
}

pub mod report;
mod run;
pub use run::{cleanup, run_method};

/// 3つの方法を順に計測し、それを`rounds`回くり返します。イメージは`work_dir`に作ります。
/// 失敗の数は実行ごとに変わるので、複数回の結果を並べて見ます。
pub fn run_all(
    target: &Target,
    portable: &Portable,
    plan: &Plan,
    work_dir: &Path,
    rounds: u32,
) -> Result<Vec<Outcome>, UpgradeError> {
    let binary = hello_image::build_hello_svc()?;
    let mut outcomes = Vec::new();
    for round in 1..=rounds {
        for method in Method::ALL {
            let outcome = run_method(target, portable, plan, work_dir, &binary, method)?;
            outcomes.push(Outcome { round, ..outcome });
        }
    }
    Ok(outcomes)
}

/// `address`が版`version`を返すまで待ちます（最大10秒）。
fn wait_for_version(address: SocketAddr, version: &str) -> Result<(), UpgradeError> {
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if load::request_health(address).is_ok_and(|seen| seen == version) {
            return Ok(());
        }
        thread::sleep(Duration::from_millis(100));
    }
    Err(UpgradeError::NotServing {
        service: format!("hello-svc {version} ({address})"),
        seconds: 10,
    })
}

/// 計測の手順のうち、負荷をかける部分。`upgrade`が更新の操作、`probe`が1リクエストを送って応答の版を返す関数です。
/// 第4章のkarui-svcの更新も、この手順で計測します。
pub fn measure<T, E>(
    address: SocketAddr,
    plan: &Plan,
    probe: fn(SocketAddr) -> Result<String, String>,
    upgrade: impl FnOnce() -> Result<T, E>,
) -> Result<(LoadReport, u128, T), E> {
    let load = Load::start_with(
        address,
        plan.workers,
        plan.max_requests,
        plan.max_duration,
        probe,
    );
    let deadline = Instant::now() + plan.max_duration;
    while load.progress().0 < plan.before && Instant::now() < deadline {
        thread::sleep(Duration::from_millis(10));
    }

    let started = Instant::now();
    let result = upgrade();
    let upgrade_ms = started.elapsed().as_millis();

    // v2の応答がafter件になり、合計がmin_requestsに達するまで送り続けます（上限は件数と時間）。
    loop {
        let (sent, versions) = load.progress();
        let done = sent >= plan.min_requests
            && versions.get("2").is_some_and(|count| *count >= plan.after);
        if done || sent >= plan.max_requests || Instant::now() >= deadline || result.is_err() {
            break;
        }
        thread::sleep(Duration::from_millis(10));
    }
    let report = load.finish();
    result.map(|order| (report, upgrade_ms, order))
}
