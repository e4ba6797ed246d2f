//! portabledが報告するファイルの変更。portablectlと同じ順、同じ粒度で1行ずつ表示します。

use std::fmt;

use serde::Serialize;

/// 変更1件。`kind`はportabledの値（`copy`、`symlink`、`write`、`mkdir`、`unlink`、`rmdir`）です。
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    pub kind: String,
    pub path: String,
    pub source: String,
}

impl From<(String, String, String)> for Change {
    fn from((kind, path, source): (String, String, String)) -> Self {
        Self { kind, path, source }
    }
}

// ANCHOR: display
impl fmt::Display for Change {
    /// portablectlの`Copied …`、`Created symlink … → …`などに当たる日本語の1行です。
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Self { kind, path, source } = self;
        match kind.as_str() {
            "copy" => write!(f, "{path}をコピーしました。"),
            "symlink" => write!(f, "シンボリックリンク{path} → {source}を作りました。"),
            "write" => write!(f, "{path}を書きました。"),
            "mkdir" => write!(f, "ディレクトリ{path}を作りました。"),
            "unlink" | "rmdir" => write!(f, "{path}を消しました。"),
            other => write!(f, "{path} ({other})"),
        }
    }
}
// ANCHOR_END: display

/// 変更のうち、アタッチされたユニットファイル（`/etc/systemd/system.attached/NAME`など）の名前。
pub fn attached_units(changes: &[Change]) -> Vec<String> {
    let mut units: Vec<String> = changes
        .iter()
        .filter(|change| change.kind == "copy" || change.kind == "symlink")
        .filter_map(|change| change.path.rsplit_once('/'))
        .filter(|(dir, _)| dir.ends_with("/system.attached"))
        .map(|(_, name)| name.to_owned())
        .collect();
    units.sort();
    units.dedup();
    units
}
