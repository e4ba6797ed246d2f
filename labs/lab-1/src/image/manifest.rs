//! マニフェスト: イメージの名前、版、入れるバイナリとユニットファイル、os-releaseの項目。

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

// ANCHOR: manifest
/// `lab-1 build`の入力（TOML）。
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// イメージ名。ユニット名の接頭辞にもなります（`hello`なら`hello.service`、`hello-*.service`）。
    pub name: String,
    /// 版。ファイル名`NAME_VERSION.raw`の`VERSION`です。
    pub version: String,
    /// `/usr/lib/os-release`に書く項目（`ID`、`VERSION_ID`、`PORTABLE_PRETTY_NAME`など）。
    #[serde(rename = "os-release")]
    pub os_release: BTreeMap<String, String>,
    /// イメージに入れるバイナリ。
    #[serde(default)]
    pub binaries: Vec<Binary>,
    /// `/usr/lib/systemd/system`に置くユニットファイル。
    pub units: Vec<Unit>,
    /// 空のディレクトリとして作るパス（例: `StateDirectory=karui`のマウント先`/var/lib/karui`）。
    /// イメージは読み取り専用なので、systemdが起動時にマウント先を作れません。
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub directories: Vec<String>,
}

/// ホストのファイル`source`を、イメージの`path`に実行可能ファイルとして置きます。
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Binary {
    pub source: PathBuf,
    pub path: String,
}

/// ユニットファイルの名前と中身。
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Unit {
    pub name: String,
    pub text: String,
}
// ANCHOR_END: manifest

/// マニフェストを読めないときのエラー。
#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    #[error("マニフェスト{path}を読めません: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("マニフェスト{path}の書式が正しくありません: {message}")]
    Parse { path: String, message: String },
    #[error(
        "マニフェスト{path}に必須の項目`{field}`がありません。{example}のように書き足してください（{message}）。"
    )]
    MissingField {
        path: String,
        field: String,
        example: &'static str,
        message: String,
    },
    #[error(
        "マニフェスト{path}の{field} `{value}`には英数字と`-` `.`だけを使ってください（`_`は名前と版の区切りです）。"
    )]
    InvalidName {
        path: String,
        field: &'static str,
        value: String,
    },
}

impl Manifest {
    /// TOMLファイルを読みます。`binaries`の相対パスはマニフェストのあるディレクトリからの相対パスにします。
    pub fn load(path: &Path) -> Result<Self, ManifestError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| ManifestError::Read {
            path: shown.clone(),
            source,
        })?;
        let mut manifest = Self::parse(&text, &shown)?;
        let base = path.parent().unwrap_or(Path::new("."));
        for binary in &mut manifest.binaries {
            binary.source = base.join(&binary.source);
        }
        Ok(manifest)
    }

    /// TOMLの文字列を読み、名前と版を確かめます。`shown`はエラーに出すファイル名です。
    pub fn parse(text: &str, shown: &str) -> Result<Self, ManifestError> {
        let manifest: Manifest =
            toml::from_str(text).map_err(|error| parse_error(shown, error.message()))?;
        for (field, value) in [("name", &manifest.name), ("version", &manifest.version)] {
            let valid = !value.is_empty()
                && value
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.');
            if !valid {
                return Err(ManifestError::InvalidName {
                    path: shown.to_owned(),
                    field,
                    value: value.clone(),
                });
            }
        }
        Ok(manifest)
    }

    /// `NAME_VERSION`。ディレクトリイメージの名前と`.raw`の名前（拡張子なし）です。
    pub fn image_name(&self) -> String {
        format!("{}_{}", self.name, self.version)
    }

    /// `/usr/lib/os-release`の中身。キーの順に並べるので、同じマニフェストから同じバイト列になります。
    pub fn os_release_text(&self) -> String {
        let mut text = String::new();
        for (key, value) in &self.os_release {
            text.push_str(&format!("{key}=\"{value}\"\n"));
        }
        text
    }
}

/// tomlのエラーを日本語のエラーにします。必須の項目がないときは、項目名と書き方の例を添えます。
fn parse_error(shown: &str, message: &str) -> ManifestError {
    let missing = message
        .strip_prefix("missing field `")
        .and_then(|rest| rest.split_once('`'))
        .map(|(field, _)| field);
    let Some(field) = missing else {
        return ManifestError::Parse {
            path: shown.to_owned(),
            message: message.to_owned(),
        };
    };
    let example = match field {
        "name" => "`name = \"hello\"`",
        "version" => "`version = \"1\"`",
        "os-release" => "`[os-release]`の表（`ID = \"karui\"`など）",
        "units" => "`[[units]]`の表（`name = \"hello.service\"`と`text = \"…\"`）",
        "source" | "path" => "`[[binaries]]`の`source = \"…\"`と`path = \"/usr/bin/…\"`",
        "text" => "`[[units]]`の`text = \"…\"`",
        _ => "マニフェストの例（`lab-1`の本の「マニフェスト」）",
    };
    ManifestError::MissingField {
        path: shown.to_owned(),
        field: field.to_owned(),
        example,
        message: message.to_owned(),
    }
}
