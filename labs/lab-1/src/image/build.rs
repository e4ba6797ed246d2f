//! マニフェストからイメージを作ります: ディレクトリと、mksquashfsで固めた`NAME_VERSION.raw`。

use std::fs;
use std::io;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use super::manifest::Manifest;
use super::validate::{ValidationError, validate_directory};

/// イメージを作れないときのエラー。
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("{path}を書けません: {source}")]
    Io { path: String, source: io::Error },
    #[error(
        "バイナリ{source_path}を読めません（{error}）。マニフェストの`source`（マニフェストのあるディレクトリからの相対パス）を確かめ、先にバイナリをビルドしてください。hello-svcはリポジトリのルートで`{}`を実行すると`{}`にできます。",
        crate::upgrade::hello_image::hello_svc_build_command(),
        crate::upgrade::hello_image::hello_svc_path(std::path::Path::new("target")).display()
    )]
    MissingBinary {
        source_path: String,
        error: io::Error,
    },
    #[error("イメージ{image}に問題があります:\n{}", format_errors(.errors))]
    Invalid {
        image: String,
        errors: Vec<ValidationError>,
    },
    #[error(
        "mksquashfsが失敗しました（{status}）: {stderr}。`sudo apt-get install squashfs-tools`でインストールされているか確認してください。"
    )]
    Mksquashfs { status: String, stderr: String },
}

fn format_errors(errors: &[ValidationError]) -> String {
    errors
        .iter()
        .map(|error| format!("- {error}"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn io_error(path: &Path) -> impl FnOnce(io::Error) -> BuildError + '_ {
    move |source| BuildError::Io {
        path: path.display().to_string(),
        source,
    }
}

// ANCHOR: skeleton
/// ポータブルサービスの起動時にマウントされる場所。読み取り専用のイメージではsystemdが作れないので、
/// 空のディレクトリとファイルを先に用意しておきます。
pub const MOUNT_POINT_DIRS: &[&str] = &["dev", "proc", "run", "sys", "tmp", "var/tmp"];
/// プロファイルの`BindReadOnlyPaths=`が上に重ねる空ファイル。
pub const MOUNT_POINT_FILES: &[&str] = &["etc/machine-id", "etc/resolv.conf"];
/// ユニットファイルを置くディレクトリ。
pub const UNIT_DIR: &str = "usr/lib/systemd/system";
// ANCHOR_END: skeleton

// ANCHOR: build_directory
/// `out_dir/NAME_VERSION/`にディレクトリイメージを作り、検証してからパスを返します。
/// 同じ名前のディレクトリがあれば作り直します。
pub fn build_directory(manifest: &Manifest, out_dir: &Path) -> Result<PathBuf, BuildError> {
    let root = out_dir.join(manifest.image_name());
    if root.exists() {
        fs::remove_dir_all(&root).map_err(io_error(&root))?;
    }

    // 空のマウントポイント、os-release、バイナリ、ユニットファイルの順に置きます。
    // マニフェストの`directories`も、マウント先になる空のディレクトリです。
    for dir in MOUNT_POINT_DIRS.iter().chain(&["etc", "usr/lib", UNIT_DIR]) {
        create_dir(&root.join(dir))?;
    }
    for file in MOUNT_POINT_FILES {
        write_file(&root.join(file), b"", 0o644)?;
    }
    for dir in &manifest.directories {
        create_dir(&root.join(dir.trim_start_matches('/')))?;
    }
    write_file(
        &root.join("usr/lib/os-release"),
        manifest.os_release_text().as_bytes(),
        0o644,
    )?;
    for binary in &manifest.binaries {
        let bytes = fs::read(&binary.source).map_err(|error| BuildError::MissingBinary {
            source_path: binary.source.display().to_string(),
            error,
        })?;
        write_file(
            &root.join(binary.path.trim_start_matches('/')),
            &bytes,
            0o755,
        )?;
    }
    for unit in &manifest.units {
        write_file(
            &root.join(UNIT_DIR).join(&unit.name),
            unit.text.as_bytes(),
            0o644,
        )?;
    }

    // portabledと同じ規則で確かめ、だめなら作ったものを残しません。
    let errors = validate_directory(&root, &manifest.image_name());
    if !errors.is_empty() {
        let _ = fs::remove_dir_all(&root);
        return Err(BuildError::Invalid {
            image: manifest.image_name(),
            errors,
        });
    }
    Ok(root)
}
// ANCHOR_END: build_directory

// ANCHOR: build_raw
/// `out_dir/NAME_VERSION.raw`をmksquashfsで作ります。同じ入力からは同じバイト列になります。
pub fn build_raw(manifest: &Manifest, out_dir: &Path) -> Result<PathBuf, BuildError> {
    let staging = out_dir.join(".staging");
    create_dir(&staging)?;
    let tree = build_directory(manifest, &staging)?;
    let raw = out_dir.join(format!("{}.raw", manifest.image_name()));

    // 時刻と所有者を固定し、ファイルの並びと圧縮を1スレッドで決めると、毎回同じバイト列になります。
    let output = Command::new("mksquashfs")
        .arg(&tree)
        .arg(&raw)
        .args(["-noappend", "-reproducible", "-all-root", "-no-xattrs"])
        .args(["-mkfs-time", "0", "-all-time", "0", "-processors", "1"])
        .args(["-quiet", "-no-progress"])
        .output()
        .map_err(|error| BuildError::Mksquashfs {
            status: "起動できません".into(),
            stderr: error.to_string(),
        })?;
    let _ = fs::remove_dir_all(&staging);
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr).trim().to_owned();
        return Err(BuildError::Mksquashfs {
            status: output.status.to_string(),
            stderr,
        });
    }
    Ok(raw)
}
// ANCHOR_END: build_raw

fn create_dir(path: &Path) -> Result<(), BuildError> {
    fs::create_dir_all(path).map_err(io_error(path))?;
    fs::set_permissions(path, fs::Permissions::from_mode(0o755)).map_err(io_error(path))
}

/// umaskに左右されないよう、書いたあとでモードを明示します。
fn write_file(path: &Path, bytes: &[u8], mode: u32) -> Result<(), BuildError> {
    if let Some(parent) = path.parent() {
        create_dir(parent)?;
    }
    fs::write(path, bytes).map_err(io_error(path))?;
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).map_err(io_error(path))
}
