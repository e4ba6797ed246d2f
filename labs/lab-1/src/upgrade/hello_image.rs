//! hello-svcを入れたイメージのマニフェストと、musl向けの静的バイナリのビルド。

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::image::manifest::{Binary, Manifest, Unit};

// ANCHOR: units
/// `hello.socket` (ソケットアクティベーションのとき)と`hello.service`を作ります。
/// サービスは同じポートを`HELLO_LISTEN`にも持ち、ソケットを渡されなければ自分でbindします。
pub fn hello_units(version: &str, port: u16, socket_activation: bool) -> Vec<Unit> {
    let service = format!(
        "[Unit]\nDescription=hello-svc {version}\n\n[Service]\nExecStart=/usr/bin/hello-svc\n\
         Environment=HELLO_VERSION={version}\nEnvironment=HELLO_LISTEN=127.0.0.1:{port}\n"
    );
    let mut units = vec![Unit {
        name: "hello.service".into(),
        text: service,
    }];
    if socket_activation {
        let socket = format!(
            "[Unit]\nDescription=hello-svcのリスニングソケット\n\n[Socket]\nListenStream=127.0.0.1:{port}\n\
             Backlog=4096\n\n[Install]\nWantedBy=sockets.target\n"
        );
        units.insert(
            0,
            Unit {
                name: "hello.socket".into(),
                text: socket,
            },
        );
    }
    units
}
// ANCHOR_END: units

/// helloの版`version`のマニフェスト。`binary`はビルド済みのhello-svcです。
pub fn hello_manifest(
    version: &str,
    port: u16,
    socket_activation: bool,
    binary: &Path,
) -> Manifest {
    let os_release = BTreeMap::from([
        ("ID".to_owned(), "karui".to_owned()),
        ("VERSION_ID".to_owned(), version.to_owned()),
        (
            "PORTABLE_PRETTY_NAME".to_owned(),
            format!("hello-svc {version}"),
        ),
        ("PORTABLE_PREFIXES".to_owned(), "hello".to_owned()),
    ]);
    Manifest {
        name: "hello".into(),
        version: version.into(),
        os_release,
        binaries: vec![Binary {
            source: binary.to_owned(),
            path: "/usr/bin/hello-svc".into(),
        }],
        units: hello_units(version, port, socket_activation),
        directories: Vec::new(),
    }
}

/// hello-svcのビルドが失敗したときのエラー。
#[derive(Debug, thiserror::Error)]
#[error(
    "hello-svcを{target}向けにビルドできません（{detail}）。`rustup target add {target}`と`sudo apt-get install musl-tools`を確認してください。"
)]
pub struct HelloBuildError {
    target: String,
    detail: String,
}

/// hello-svcを静的リンクするターゲット（x86_64なら`x86_64-unknown-linux-musl`）。
pub fn musl_target() -> String {
    format!("{}-unknown-linux-musl", std::env::consts::ARCH)
}

/// `cargo_target_dir`（`CARGO_TARGET_DIR`、既定はリポジトリの`target`）の下でhello-svcが置かれるパス。
pub fn hello_svc_path(cargo_target_dir: &Path) -> PathBuf {
    cargo_target_dir
        .join("hello-svc")
        .join(musl_target())
        .join("release/hello-svc")
}

/// リポジトリのルートで実行すると`hello_svc_path(Path::new("target"))`にhello-svcを作るコマンド。
pub fn hello_svc_build_command() -> String {
    format!(
        "cargo build --release -p lab-1 --bin hello-svc --no-default-features --target {} --target-dir target/hello-svc",
        musl_target()
    )
}

// ANCHOR: build_hello
/// hello-svcをmuslで静的リンクしてビルドし、バイナリのパスを返します。
/// イメージにlibcを入れずに済むよう、クライアント側の依存を外して（`--no-default-features`）ビルドします。
pub fn build_hello_svc() -> Result<PathBuf, HelloBuildError> {
    let target = musl_target();
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR"));
    let cargo_target_dir = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace.join("../../target"));
    let target_dir = cargo_target_dir.join("hello-svc");

    let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .current_dir(workspace)
        .args([
            "build",
            "--quiet",
            "--release",
            "-p",
            "lab-1",
            "--bin",
            "hello-svc",
            "--no-default-features",
        ])
        .args(["--target", &target])
        .arg("--target-dir")
        .arg(&target_dir)
        .env("CARGO_PROFILE_RELEASE_STRIP", "symbols")
        .status();
    let error = |detail: String| HelloBuildError {
        target: target.clone(),
        detail,
    };
    match status {
        Ok(status) if status.success() => Ok(hello_svc_path(&cargo_target_dir)),
        Ok(status) => Err(error(status.to_string())),
        Err(io_error) => Err(error(io_error.to_string())),
    }
}
// ANCHOR_END: build_hello
