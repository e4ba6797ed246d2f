//! イメージの中身の一覧（パス、種類、モード、サイズ）。スナップショットテストと`lab-1 inspect`が使います。

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

/// ディレクトリイメージを、パスの順に`モード サイズ パス`の行で一覧にします。
pub fn list_directory(root: &Path) -> String {
    let mut lines = Vec::new();
    collect(root, root, &mut lines);
    lines.sort_by(|a: &(String, String), b| a.0.cmp(&b.0));
    lines
        .into_iter()
        .map(|(_, line)| line)
        .collect::<Vec<_>>()
        .join("\n")
}

fn collect(root: &Path, dir: &Path, lines: &mut Vec<(String, String)>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let Ok(metadata) = fs::symlink_metadata(&path) else {
            continue;
        };
        let shown = format!("/{}", path.strip_prefix(root).unwrap_or(&path).display());
        let kind = match () {
            _ if metadata.is_dir() => 'd',
            _ if metadata.file_type().is_symlink() => 'l',
            _ => '-',
        };
        let mode = metadata.permissions().mode() & 0o7777;
        let size = if metadata.is_dir() { 0 } else { metadata.len() };
        lines.push((shown.clone(), format!("{kind}{mode:04o} {size:>8} {shown}")));
        if metadata.is_dir() {
            collect(root, &path, lines);
        }
    }
}

/// `.raw` (squashfs)の一覧をunsquashfsで作ります（所有者は数値、時刻は作成時に0へ固定済み）。
pub fn list_raw(raw: &Path) -> std::io::Result<String> {
    let output = Command::new("unsquashfs")
        .args(["-lln", "-d", ""])
        .arg(raw)
        .output()?;
    if !output.status.success() {
        let message = format!(
            "unsquashfsが失敗しました: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        );
        return Err(std::io::Error::other(message));
    }
    // `-d ""`なのでルートのパスは空になります。読みやすいよう`/`を補います。
    let text = String::from_utf8_lossy(&output.stdout);
    let lines = text.lines().map(|line| match line.trim_end() {
        trimmed
            if trimmed.ends_with(['/'])
                || trimmed
                    .rsplit(' ')
                    .next()
                    .is_some_and(|last| last.starts_with('/')) =>
        {
            trimmed.to_owned()
        }
        trimmed => format!("{trimmed} /"),
    });
    Ok(lines.collect::<Vec<_>>().join("\n"))
}
