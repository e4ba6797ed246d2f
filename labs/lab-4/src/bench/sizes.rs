//! 配る物の大きさ: WASMのコンポーネントとAOT成果物、静的バイナリ、ポータブルイメージ、Debianのslimなrootfsです。
//! Dockerエンジンは使わず、Dockerイメージが中に持つものの大きさを同じ方法で測ります。

use std::path::Path;
use std::process::Command;

use serde::{Deserialize, Serialize};

use crate::image::Files;

/// 大きさの表の1行です。
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SizeRow {
    /// 表の1列目に出す名前です。
    pub name: String,
    /// Dockerのイメージで言えば何に当たるかの説明です。
    pub docker_equivalent: String,
    /// バイト数です。
    pub bytes: u64,
}

/// 比の基準にする行の名前です（Debianのslimなrootfsとその上の静的ネイティブバイナリ）。
pub const BASELINE: &str = "Debian slimのrootfs + native-health";

// ANCHOR: measure
/// 大きさを測ります。Debianのrootfsがキャッシュになければ、debootstrapで作ります（数分かかります）。
pub fn measure(
    files: &Files,
    native_bin: &Path,
    raw: &Path,
    debian_cache: &Path,
) -> anyhow::Result<Vec<SizeRow>> {
    let rootfs = ensure_debian_slim(debian_cache)?;
    let minbase = du_bytes(&rootfs)?;
    let debian = minbase - slim_removed_bytes(&rootfs)?;
    let native = file_bytes(native_bin)?;
    let svc = file_bytes(&files.svc)?;

    let row = |name: &str, docker: &str, bytes: u64| SizeRow {
        name: name.to_owned(),
        docker_equivalent: docker.to_owned(),
        bytes,
    };
    Ok(vec![
        row(
            "health.wasm（コンポーネント）",
            "なし（ホストが別に要ります）",
            file_bytes(&files.wasm)?,
        ),
        row(
            "health-pulley.cwasm（AOT成果物）",
            "なし（ホストが別に要ります）",
            file_bytes(&files.pulley_cwasm)?,
        ),
        row(
            "health-cranelift.cwasm（AOT成果物）",
            "なし（ホストが別に要ります）",
            file_bytes(&files.cranelift_cwasm)?,
        ),
        row(
            "native-health（静的ネイティブ、musl）",
            "FROM scratchのイメージ",
            native,
        ),
        row(
            "karui-svc（静的、wasmtimeとSQLite込み）",
            "FROM scratchのイメージ",
            svc,
        ),
        row(
            "karui_1.raw（ポータブルイメージ、squashfs）",
            "イメージ1つ（圧縮済み）",
            file_bytes(raw)?,
        ),
        row(
            "Debian minbaseのrootfs（debootstrapのまま）",
            "aptのキャッシュと文書を残したベースイメージ",
            minbase,
        ),
        row(
            "Debian slimのrootfs",
            "debian:bookworm-slim相当のベースイメージ",
            debian,
        ),
        row(
            BASELINE,
            "debian:bookworm-slimの上にバイナリを置いたイメージ",
            debian + native,
        ),
        row(
            "Debian slimのrootfs + karui-svc",
            "debian:bookworm-slimの上にバイナリを置いたイメージ",
            debian + svc,
        ),
    ])
}
// ANCHOR_END: measure

/// Debianのslimなイメージが持たないパスです（aptのキャッシュとパッケージ一覧、文書、man、ロケール）。
/// NOTE: debuerreotypeのslim変種が消すパスの近似です。公式イメージと完全には一致しません。
const SLIM_REMOVED: [&str; 8] = [
    "var/cache/apt",
    "var/lib/apt/lists",
    "usr/share/doc",
    "usr/share/man",
    "usr/share/locale",
    "usr/share/info",
    "usr/share/groff",
    "usr/share/lintian",
];

/// `SLIM_REMOVED`のパスの大きさの合計です。rootfsそのものは書き換えません。
fn slim_removed_bytes(rootfs: &Path) -> anyhow::Result<u64> {
    let mut total = 0;
    for path in SLIM_REMOVED {
        let path = rootfs.join(path);
        if path.exists() {
            total += du_bytes(&path)?;
        }
    }
    Ok(total)
}

/// `cache/rootfs`にDebian 12のminbaseなrootfsを用意し、そのパスを返します。
/// 途中で止まっても壊れたrootfsを使わないよう、別名で作ってから名前を変えます。
fn ensure_debian_slim(cache: &Path) -> anyhow::Result<std::path::PathBuf> {
    let rootfs = cache.join("rootfs");
    if rootfs.join("etc/debian_version").is_file() {
        return Ok(rootfs);
    }
    std::fs::create_dir_all(cache)?;
    let partial = cache.join("rootfs.partial");
    if partial.exists() {
        std::fs::remove_dir_all(&partial)?;
    }
    eprintln!(
        "Debianのrootfsをdebootstrapで{}に作ります（初回だけ、数分かかります）。",
        rootfs.display()
    );
    let status = Command::new("debootstrap")
        .args(["--variant=minbase", "bookworm"])
        .arg(&partial)
        .status()
        .map_err(|e| {
            anyhow::anyhow!(
                "debootstrapを起動できません: {e}。`sudo apt-get install debootstrap`で入れてから、rootで実行してください。"
            )
        })?;
    anyhow::ensure!(
        status.success(),
        "debootstrap --variant=minbase bookworm {}が{status}で終わりました。ネットワーク（HTTP_PROXY）とroot権限を確かめてください。",
        partial.display()
    );
    std::fs::rename(&partial, &rootfs)?;
    Ok(rootfs)
}

/// ディレクトリの中のファイルの大きさの合計（`du -s -b`、見かけの大きさ）です。
fn du_bytes(dir: &Path) -> anyhow::Result<u64> {
    let output = Command::new("du").arg("-sb").arg(dir).output()?;
    anyhow::ensure!(
        output.status.success(),
        "du -sb {}が失敗しました: {}",
        dir.display(),
        String::from_utf8_lossy(&output.stderr).trim()
    );
    let text = String::from_utf8_lossy(&output.stdout);
    let bytes = text.split_whitespace().next().unwrap_or_default();
    Ok(bytes.parse()?)
}

fn file_bytes(path: &Path) -> anyhow::Result<u64> {
    std::fs::metadata(path)
        .map(|m| m.len())
        .map_err(|e| anyhow::anyhow!("{}の大きさを読めません: {e}", path.display()))
}
