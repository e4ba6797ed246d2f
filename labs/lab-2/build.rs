//! ゲスト (guests/*) をwasm32-wasip2向けにビルドし、パスを環境変数で本体に渡します。
//! `cargo test -p lab-2`だけでゲストもそろうようにするためです。

use std::path::{Path, PathBuf};
use std::process::Command;

const GUESTS: [&str; 2] = ["health", "hostile"];

fn main() {
    let manifest_dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").unwrap());
    let target_dir = out_dir.join("guests");

    for guest in GUESTS {
        let guest_dir = manifest_dir.join("guests").join(guest);
        println!("cargo:rerun-if-changed={}", guest_dir.join("src").display());
        println!(
            "cargo:rerun-if-changed={}",
            guest_dir.join("Cargo.toml").display()
        );
        println!(
            "cargo:rerun-if-changed={}",
            guest_dir.join("Cargo.lock").display()
        );

        let wasm = build_guest(&guest_dir, &target_dir, guest);
        let var = format!("{}_WASM", guest.to_uppercase());
        println!("cargo:rustc-env={var}={}", wasm.display());
    }

    // 計測の表に載せるため、ロックファイルからwasmtimeの版を読みます。
    let lock = manifest_dir.join("../../Cargo.lock");
    println!("cargo:rerun-if-changed={}", lock.display());
    let version = std::fs::read_to_string(&lock)
        .ok()
        .and_then(|text| {
            let at = text.find("name = \"wasmtime\"\nversion = \"")?;
            let rest = &text[at + "name = \"wasmtime\"\nversion = \"".len()..];
            Some(rest[..rest.find('"')?].to_string())
        })
        .unwrap_or_else(|| "不明".into());
    println!("cargo:rustc-env=WASMTIME_VERSION={version}");
}

/// 1つのゲストをreleaseでビルドし、できた.wasmのパスを返します。
fn build_guest(guest_dir: &Path, target_dir: &Path, name: &str) -> PathBuf {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(cargo)
        .current_dir(guest_dir)
        .args([
            "build",
            "--release",
            "--locked",
            "--target",
            "wasm32-wasip2",
        ])
        .arg("--target-dir")
        .arg(target_dir)
        // 外側のcargoの設定（ホスト向けのフラグなど）をゲストに持ち込みません。
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_TARGET_DIR")
        .env_remove("CARGO_BUILD_TARGET")
        .env_remove("CARGO_MAKEFLAGS")
        .env_remove("MAKEFLAGS")
        .env_remove("MFLAGS")
        // `cargo clippy`のときも、ゲストは普通のrustcでビルドします。
        .env_remove("RUSTC_WORKSPACE_WRAPPER")
        .env_remove("CLIPPY_ARGS")
        .status()
        .expect("cargoを起動できません");
    assert!(
        status.success(),
        "ゲスト`{name}`をビルドできません。`rustup target add wasm32-wasip2`を実行してから、もう一度ビルドしてください。"
    );
    target_dir
        .join("wasm32-wasip2")
        .join("release")
        .join(format!("{name}.wasm"))
}
