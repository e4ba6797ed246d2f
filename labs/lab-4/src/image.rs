//! karui-svcのイメージ: musl向けの静的バイナリ、コンポーネントとそのAOT成果物、2つのユニットです。
//! イメージの形と作り方は第1章のもの（`lab_1::image`）をそのまま使います。

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use lab_1::image::manifest::{Binary, Manifest, Unit};
use lab_1::upgrade::hello_image::musl_target;

/// karui.socketが待ち受けるホストのループバックのポートです（第1章のhello-svcの18080とは別にします）。
pub const PORT: u16 = 18090;

/// イメージの中のファイルの置き場所です。
pub const SVC_PATH: &str = "/usr/bin/karui-svc";
pub const WASM_PATH: &str = "/usr/lib/karui/health.wasm";
pub const PULLEY_CWASM_PATH: &str = "/usr/lib/karui/health-pulley.cwasm";
pub const CRANELIFT_CWASM_PATH: &str = "/usr/lib/karui/health-cranelift.cwasm";

// ANCHOR: units
/// `karui.socket`と`karui.service`です。ソケットはsystemdが持ち、サービスを入れ替えても閉じません。
pub fn karui_units(version: u32) -> Vec<Unit> {
    let socket = format!(
        "[Unit]\nDescription=karui-svcのリスニングソケット\n\n\
         [Socket]\nListenStream=127.0.0.1:{PORT}\nBacklog=4096\n\n\
         [Install]\nWantedBy=sockets.target\n"
    );
    // StateDirectory=: systemdが/var/lib/karuiを作り、DynamicUser=の利用者に書かせます。
    // 記録はここに残るので、イメージを入れ替えても消えません。
    let service = format!(
        "[Unit]\nDescription=karui-svc {version}\n\n\
         [Service]\nExecStart={SVC_PATH} --engine pulley --component {PULLEY_CWASM_PATH}\n\
         DynamicUser=yes\nStateDirectory=karui\n"
    );
    vec![
        Unit {
            name: "karui.socket".into(),
            text: socket,
        },
        Unit {
            name: "karui.service".into(),
            text: service,
        },
    ]
}
// ANCHOR_END: units

/// 版`version`のマニフェストです。`files`は[`build_files`]で用意したものです。
pub fn karui_manifest(version: u32, files: &Files) -> Manifest {
    let os_release = BTreeMap::from([
        ("ID".to_owned(), "karui".to_owned()),
        ("VERSION_ID".to_owned(), version.to_string()),
        (
            "PORTABLE_PRETTY_NAME".to_owned(),
            format!("karui-svc {version}"),
        ),
        ("PORTABLE_PREFIXES".to_owned(), "karui".to_owned()),
    ]);
    let file = |source: &Path, path: &str| Binary {
        source: source.to_owned(),
        path: path.into(),
    };
    Manifest {
        name: "karui".into(),
        version: version.to_string(),
        os_release,
        binaries: vec![
            file(&files.svc, SVC_PATH),
            file(&files.wasm, WASM_PATH),
            file(&files.pulley_cwasm, PULLEY_CWASM_PATH),
            file(&files.cranelift_cwasm, CRANELIFT_CWASM_PATH),
        ],
        units: karui_units(version),
        // ANCHOR: directories
        // StateDirectory=karuiのマウント先です。読み取り専用のイメージにはsystemdが作れないので、先に置きます。
        directories: vec!["/var/lib/karui".into()],
        // ANCHOR_END: directories
    }
}

/// イメージに入れるファイル（ホスト側のパス）です。
#[derive(Debug, Clone)]
pub struct Files {
    pub svc: PathBuf,
    pub wasm: PathBuf,
    pub pulley_cwasm: PathBuf,
    pub cranelift_cwasm: PathBuf,
}

/// karui-svcのビルドやコンパイルが失敗したときのエラーです。
#[derive(Debug, thiserror::Error)]
pub enum ImageError {
    #[error(
        "karui-svc（版{version}）を{target}向けにビルドできません（{detail}）。`rustup target add {target}`と`sudo apt-get install musl-tools`を確かめてください。"
    )]
    Build {
        version: u32,
        target: String,
        detail: String,
    },
    #[error("{path}を用意できません: {detail}")]
    File { path: String, detail: String },
    #[error(transparent)]
    Image(#[from] lab_1::image::build::BuildError),
}

// ANCHOR: build_svc
/// karui-svcの版`version`をmuslで静的リンクしてビルドし、版ごとのパスにコピーして返します。
/// 版2は`--features v2`です。イメージを作る側の依存（zbusなど）は`--no-default-features`で外します。
pub fn build_karui_svc(version: u32) -> Result<PathBuf, ImageError> {
    let target = musl_target();
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let target_dir = cargo_target_dir().join("karui-svc");
    let mut cargo = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    cargo
        .current_dir(crate_dir)
        .args(["build", "--quiet", "--release", "--locked", "-p", "lab-4"])
        .args([
            "--bin",
            "karui-svc",
            "--no-default-features",
            "--target",
            &target,
        ])
        .arg("--target-dir")
        .arg(&target_dir);
    if version == 2 {
        cargo.args(["--features", "v2"]);
    }

    let error = |detail: String| ImageError::Build {
        version,
        target: target.clone(),
        detail,
    };
    eprintln!(
        "karui-svc（版{version}）を{target}向けにreleaseでビルドします（初回は数分かかります）。"
    );
    let status = cargo.status().map_err(|e| error(e.to_string()))?;
    if !status.success() {
        return Err(error(status.to_string()));
    }
    // イメージに入れるのは、シンボルを除いたコピーです。ビルドしたものはperfで読めるよう、シンボルを残します。
    let built = target_dir.join(&target).join("release/karui-svc");
    let copy = target_dir.join(format!("karui-svc-{version}"));
    let stripped = Command::new("strip")
        .arg("--strip-all")
        .arg("-o")
        .arg(&copy)
        .arg(&built)
        .status()
        .map_err(|e| file_error(&copy, e))?;
    if !stripped.success() {
        return Err(error(format!("strip: {stripped}")));
    }
    Ok(copy)
}
// ANCHOR_END: build_svc

// ANCHOR: build_files
/// イメージに入れるファイルを`work_dir`に用意します。
/// `.cwasm`はイメージに入れるkarui-svc自身にコンパイルさせるので、エンジンの設定が必ず一致します。
pub fn build_files(version: u32, work_dir: &Path) -> Result<Files, ImageError> {
    let svc = build_karui_svc(version)?;
    let wasm = work_dir.join("health.wasm");
    std::fs::copy(lab_2::guests::health(), &wasm).map_err(|e| file_error(&wasm, e))?;

    let compile = |engine: &str, output: PathBuf| -> Result<PathBuf, ImageError> {
        let result = Command::new(&svc)
            .args(["--engine", engine, "--component"])
            .arg(&wasm)
            .arg("--precompile")
            .arg(&output)
            .output()
            .map_err(|e| file_error(&output, e))?;
        if !result.status.success() {
            return Err(ImageError::File {
                path: output.display().to_string(),
                detail: String::from_utf8_lossy(&result.stderr).trim().to_owned(),
            });
        }
        Ok(output)
    };
    let pulley_cwasm = compile("pulley", work_dir.join("health-pulley.cwasm"))?;
    let cranelift_cwasm = compile("cranelift", work_dir.join("health-cranelift.cwasm"))?;
    Ok(Files {
        svc,
        wasm,
        pulley_cwasm,
        cranelift_cwasm,
    })
}
// ANCHOR_END: build_files

/// 版`version`の`karui_VERSION.raw`を`out_dir`に作ります。
pub fn build_image(version: u32, out_dir: &Path) -> Result<PathBuf, ImageError> {
    let work = out_dir.join(format!(".files-{version}"));
    std::fs::create_dir_all(&work).map_err(|e| file_error(&work, e))?;
    let files = build_files(version, &work)?;
    let raw = lab_1::image::build::build_raw(&karui_manifest(version, &files), out_dir)?;
    let _ = std::fs::remove_dir_all(&work);
    Ok(raw)
}

/// `CARGO_TARGET_DIR`か、リポジトリの`target`です。
pub fn cargo_target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"))
}

fn file_error(path: &Path, error: std::io::Error) -> ImageError {
    ImageError::File {
        path: path.display().to_string(),
        detail: error.to_string(),
    }
}
