//! ラボマシンでの配備: アタッチ、プロファイルとエンジンの組み合わせの試行、負荷をかけたままの更新です。

use std::collections::BTreeMap;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use lab_1::machine::Target;
use lab_1::portabled::{AttachOptions, Portable, PortableError, stage_image};
use lab_1::upgrade::Plan;
use lab_1::upgrade::load::{LoadReport, http_get_with_head};
use serde::Serialize;

use crate::image::{CRANELIFT_CWASM_PATH, PORT, PULLEY_CWASM_PATH, SVC_PATH, WASM_PATH};
use crate::service::{DB_FILE, VERSION_HEADER};

/// karui.socketが待ち受けるアドレスです（ラボマシンはホストとネットワークを共有します）。
pub const ADDRESS: SocketAddr = SocketAddr::new(std::net::IpAddr::V4(Ipv4Addr::LOCALHOST), PORT);

/// 配備の操作が失敗したときのエラーです。
#[derive(Debug, thiserror::Error)]
pub enum DeployError {
    #[error(transparent)]
    Portable(#[from] PortableError),
    #[error(
        "karui-svc {version}が{seconds}秒以内に応答しませんでした。`sudo -E env \"PATH=$PATH\" ./scripts/lab-machine.sh shell journalctl -u karui.service`で理由を確かめてください。"
    )]
    NotServing { version: String, seconds: u64 },
    #[error("ラボマシンの{path}を読み書きできません: {detail}")]
    File { path: String, detail: String },
    #[error("記録{path}を読めません: {detail}")]
    Records { path: String, detail: String },
}

/// `/health`の応答を返したサービスの版です。`x-karui-version`ヘッダーから読みます。
pub fn probe(address: SocketAddr) -> Result<String, String> {
    let (head, _) = http_get_with_head(address, "/health")?;
    let prefix = format!("{VERSION_HEADER}: ");
    head.lines()
        .find_map(|line| line.strip_prefix(&prefix))
        .map(|value| value.trim().to_owned())
        .ok_or_else(|| "NoVersionHeader".to_owned())
}

/// `version`の応答が返るまで、最大`seconds`秒待ちます。
pub fn wait_for_version(version: &str, seconds: u64) -> Result<(), DeployError> {
    let deadline = Instant::now() + Duration::from_secs(seconds);
    while Instant::now() < deadline {
        if probe(ADDRESS).is_ok_and(|seen| seen == version) {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Err(DeployError::NotServing {
        version: version.into(),
        seconds,
    })
}

// ANCHOR: state_dir
/// ラボマシンの中の、karui-svcの記録のディレクトリ（ホストから見たパス）です。
/// `DynamicUser=yes`なので、`StateDirectory=karui`の実体は`/var/lib/private/karui`です。
/// `/proc/PID/root`ではなくrootfsのディレクトリを使います。SQLiteはパスのシンボリックリンクを
/// たどるので、`/proc/PID/root`（リンク先はコンテナから見た`/`）を通すとホストの`/var/lib`を開いてしまうからです。
pub fn state_dir(target: &Target) -> PathBuf {
    let root = match target {
        Target::Machine(_) => lab_1::machine::rootfs(),
        Target::Host => PathBuf::from("/"),
    };
    root.join("var/lib/private/karui")
}
// ANCHOR_END: state_dir

// ANCHOR: attach
/// `image`（`stage_image`で置いたもの）を`profile`でアタッチし、ソケットだけを起動します。
/// サービスは最初の接続で起動します。
pub fn attach(portable: &Portable, image: &str, profile: &str) -> Result<(), DeployError> {
    let options = AttachOptions {
        profile: profile.into(),
        ..AttachOptions::default()
    };
    portable.attach(image, &options)?;
    portable.start_unit("karui.socket")?;
    Ok(())
}
// ANCHOR_END: attach

/// karuiのユニットを止め、アタッチしたイメージをデタッチし、エンジンの差し替えを消します。
/// `remove_state`なら記録も消します（テストを同じ状態から始めるためです）。
pub fn cleanup(target: &Target, portable: &Portable, remove_state: bool) {
    for unit in ["karui.socket", "karui.service"] {
        let _ = portable.stop_unit(unit);
    }
    let _ = target
        .command("systemctl")
        .args(["reset-failed", "karui.socket", "karui.service"])
        .output();
    if let Ok(images) = portable.list_images() {
        for image in images
            .iter()
            .filter(|image| image.name.starts_with("karui_") && image.state != "detached")
        {
            let _ = portable.detach(&image.name, false, &[]);
            let _ = portable.detach(&image.name, true, &[]);
        }
    }
    let _ = std::fs::remove_dir_all(engine_dropin_dir(target));
    let _ = portable.reload();
    if remove_state {
        let _ = std::fs::remove_dir_all(state_dir(target));
    }
}

/// 試すWASMのエンジンと、読み込むファイルの組み合わせです。
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum EngineChoice {
    /// Pulleyのバイトコードに事前コンパイルした`.cwasm`（イメージの既定）。
    PulleyAot,
    /// Craneliftで機械語に事前コンパイルした`.cwasm`。
    CraneliftAot,
    /// `.wasm`を起動時にCraneliftでコンパイルします（JIT）。
    CraneliftJit,
}

impl EngineChoice {
    pub const ALL: [EngineChoice; 3] = [
        EngineChoice::PulleyAot,
        EngineChoice::CraneliftAot,
        EngineChoice::CraneliftJit,
    ];

    pub fn label(self) -> &'static str {
        match self {
            EngineChoice::PulleyAot => "Pulley（.cwasm）",
            EngineChoice::CraneliftAot => "Cranelift（.cwasm）",
            EngineChoice::CraneliftJit => "Cranelift（.wasmを起動時にコンパイル）",
        }
    }

    fn exec_start(self) -> String {
        let (engine, component) = match self {
            EngineChoice::PulleyAot => ("pulley", PULLEY_CWASM_PATH),
            EngineChoice::CraneliftAot => ("cranelift", CRANELIFT_CWASM_PATH),
            EngineChoice::CraneliftJit => ("cranelift", WASM_PATH),
        };
        format!("{SVC_PATH} --engine {engine} --component {component}")
    }
}

fn engine_dropin_dir(target: &Target) -> PathBuf {
    target.root().join("run/systemd/system/karui.service.d")
}

// ANCHOR: engine_dropin
/// karui.serviceのExecStart=を、ランタイムのドロップイン（/run、再起動で消えます）で差し替えます。
/// イメージを作り直さずに、同じイメージでエンジンだけを替えて試すためです。
pub fn set_engine(
    target: &Target,
    portable: &Portable,
    choice: EngineChoice,
) -> Result<(), DeployError> {
    let dir = engine_dropin_dir(target);
    let path = dir.join("50-engine.conf");
    let text = format!("[Service]\nExecStart=\nExecStart={}\n", choice.exec_start());
    std::fs::create_dir_all(&dir)
        .and_then(|()| std::fs::write(&path, text))
        .map_err(|e| DeployError::File {
            path: path.display().to_string(),
            detail: e.to_string(),
        })?;
    portable.reload()?;
    Ok(())
}
// ANCHOR_END: engine_dropin

/// プロファイルとエンジンの1つの組み合わせの結果です。
#[derive(Debug, Clone, Serialize)]
pub struct Trial {
    pub profile: String,
    pub engine: EngineChoice,
    /// `/health`が200を返したか。
    pub serves: bool,
    /// 動かなかったとき、karui-svcがジャーナルに残した最後のエラーの行です。
    pub error: Option<String>,
}

// ANCHOR: try_profile
/// `image`を`profile`でアタッチし、`engine`で最初のリクエストに答えられるかを試します。
pub fn try_profile(
    target: &Target,
    portable: &Portable,
    image: &str,
    profile: &str,
    engine: EngineChoice,
) -> Result<Trial, DeployError> {
    cleanup(target, portable, true);
    set_engine(target, portable, engine)?;
    attach(portable, image, profile)?;
    let serves = wait_for_version(&crate::VERSION.to_string(), 10).is_ok();
    let error = if serves { None } else { last_error(target) };
    cleanup(target, portable, true);
    Ok(Trial {
        profile: profile.into(),
        engine,
        serves,
        error,
    })
}
// ANCHOR_END: try_profile

/// karui.serviceのジャーナルから、karui-svcが書いた最後のERRORの行を取り出します。
fn last_error(target: &Target) -> Option<String> {
    let output = target
        .command("journalctl")
        .args(["-u", "karui.service", "-o", "cat", "--no-pager", "-n", "50"])
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&output.stdout);
    text.lines()
        .rev()
        .find_map(|line| line.trim().strip_prefix("ERROR "))
        .map(str::to_owned)
}

/// 更新の結果です。
#[derive(Debug, Clone, Serialize)]
pub struct UpgradeOutcome {
    pub report: LoadReport,
    /// 更新の操作（リアタッチからサービスの再起動まで）にかかった時間（ミリ秒）です。
    pub upgrade_ms: u128,
    /// 更新の後に記録にある、版ごとの`/health`の200の行数です。
    pub rows: BTreeMap<u32, i64>,
    /// 更新の後のスキーマのバージョンです。
    pub schema_version: u32,
}

// ANCHOR: upgrade
/// v1を`profile`でアタッチし、負荷をかけたままv2に入れ替えます。ソケットには触れません。
pub fn upgrade(
    target: &Target,
    portable: &Portable,
    images: (&str, &str),
    profile: &str,
    plan: &Plan,
) -> Result<UpgradeOutcome, DeployError> {
    cleanup(target, portable, true);
    attach(portable, images.0, profile)?;
    wait_for_version("1", 30)?;

    // イメージだけを入れ替え、サービスだけを再起動します。その間の接続はソケットのキューで待ちます。
    let options = AttachOptions {
        profile: profile.into(),
        ..AttachOptions::default()
    };
    let result = lab_1::upgrade::measure(ADDRESS, plan, probe, || {
        portable.reattach(images.1, &options)?;
        portable.restart_unit("karui.service")?;
        Ok::<_, DeployError>(())
    });
    let (report, upgrade_ms, ()) = result?;

    // 負荷を止めた後で記録を数えます。v2の書き込みが終わるよう、記録の間隔より長く待ちます。
    std::thread::sleep(crate::service::FLUSH_INTERVAL * 3);
    let db = state_dir(target).join(DB_FILE);
    let (rows, schema_version) = count_rows(&db)?;
    Ok(UpgradeOutcome {
        report,
        upgrade_ms,
        rows,
        schema_version,
    })
}
// ANCHOR_END: upgrade

/// 記録を読み取り専用で開き、版ごとの`/health`の200の行数とスキーマのバージョンを返します。
/// サービスの版に依らずに読むので、`served_by`の列がなければすべて版1として数えます。
pub fn count_rows(db: &Path) -> Result<(BTreeMap<u32, i64>, u32), DeployError> {
    let error = |e: rusqlite::Error| DeployError::Records {
        path: db.display().to_string(),
        detail: e.to_string(),
    };
    let conn =
        rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .map_err(error)?;
    let version: u32 = conn
        .pragma_query_value(None, "user_version", |row| row.get(0))
        .map_err(error)?;
    let sql = if crate::requests::has_served_by(&conn).map_err(error)? {
        "SELECT served_by, count(*) FROM request WHERE route = '/health' AND status = 200 GROUP BY served_by"
    } else {
        "SELECT 1, count(*) FROM request WHERE route = '/health' AND status = 200"
    };
    let mut stmt = conn.prepare(sql).map_err(error)?;
    let rows = stmt
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
        .map_err(error)?
        .collect::<Result<BTreeMap<u32, i64>, _>>()
        .map_err(error)?;
    Ok((rows, version))
}

/// 更新の計測の既定値です。5000件以上を送り、v2の応答を1500件受け取るまで続けます。
pub fn default_plan() -> Plan {
    Plan {
        port: PORT,
        workers: 4,
        before: 1500,
        min_requests: 5000,
        after: 1500,
        max_requests: 50_000,
        max_duration: Duration::from_secs(90),
    }
}

/// `raw`をラボマシンの/var/lib/portablesに置き、portabledに渡す名前を返します。
pub fn stage(target: &Target, raw: &Path) -> Result<String, DeployError> {
    Ok(stage_image(&target.root(), raw)?)
}

/// プロファイルとエンジンの試行の結果を、プロファイルを行、エンジンを列にした表にします。
pub fn trials_table(trials: &[Trial]) -> String {
    let mut table = comfy_table::Table::new();
    let mut header = vec!["プロファイル".to_string()];
    header.extend(EngineChoice::ALL.iter().map(|e| e.label().to_string()));
    table.set_header(header);
    let mut profiles: Vec<&str> = Vec::new();
    for trial in trials {
        if !profiles.contains(&trial.profile.as_str()) {
            profiles.push(&trial.profile);
        }
    }
    for profile in profiles {
        let mut row = vec![profile.to_string()];
        for engine in EngineChoice::ALL {
            let cell = trials
                .iter()
                .find(|t| t.profile == profile && t.engine == engine)
                .map_or("-", |t| {
                    if t.serves {
                        "動く"
                    } else {
                        "起動しない"
                    }
                });
            row.push(cell.to_string());
        }
        table.add_row(row);
    }
    table.to_string()
}

/// 更新の結果を、人が読む「項目と値」の組にします。
pub fn upgrade_rows(outcome: &UpgradeOutcome, profile: &str) -> Vec<(String, String)> {
    let report = &outcome.report;
    let mut rows = vec![
        ("プロファイル".to_string(), profile.to_string()),
        ("送ったリクエスト".to_string(), report.sent.to_string()),
        ("失敗".to_string(), report.failed.to_string()),
    ];
    for (version, count) in &report.versions {
        rows.push((format!("v{version}の応答"), count.to_string()));
    }
    if !report.errors.is_empty() {
        let kinds: Vec<String> = report
            .errors
            .iter()
            .map(|(kind, count)| format!("{kind} {count}件"))
            .collect();
        rows.push(("失敗の種類".to_string(), kinds.join("、")));
    }
    rows.push((
        "応答の版の並び".to_string(),
        report.version_sequence.join(" → "),
    ));
    for (version, count) in &outcome.rows {
        rows.push((
            format!("記録にあるv{version}の/healthの行"),
            count.to_string(),
        ));
    }
    rows.push((
        "更新後のスキーマのバージョン".to_string(),
        outcome.schema_version.to_string(),
    ));
    rows.push((
        "更新の操作にかかった時間".to_string(),
        format!("{} ms", outcome.upgrade_ms),
    ));
    rows
}
