//! アタッチの前の検証。systemd 252のportabledとportablectlが断る形と、
//! アタッチはできてもサービスの起動で失敗する形を、ファイル名と直し方を添えて報告します。

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Component, Path, PathBuf};

use super::build::{MOUNT_POINT_DIRS, MOUNT_POINT_FILES, UNIT_DIR};
use super::{image_prefix, unit_matches_prefix};

mod exec;

pub use exec::interpreter_of as exec_interpreter;

/// 検証で見つかった問題1つ。
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ValidationError {
    #[error(
        "イメージ{image}にos-releaseがありません。/usr/lib/os-release（または/etc/os-release）を置き、ID=とPORTABLE_PRETTY_NAME=を書いてください（portabledは \"lacks os-release data\"で断ります）。"
    )]
    OsReleaseMissing { image: String },
    #[error(
        "{file}にID=がありません。`ID=\"karui\"`のようにディストリビューション名を書いてください（portabledは \"lacks the ID field\"で断ります）。"
    )]
    OsReleaseNoId { file: String },
    #[error(
        "イメージ{image}に、接頭辞`{prefix}`に一致するユニットがありません（見つかったユニット: {found}）。ユニット名を`{prefix}.service`か`{prefix}-*.service`にしてください。{hint}"
    )]
    NoMatchingUnit {
        image: String,
        prefix: String,
        found: String,
        hint: String,
    },
    #[error(
        "{file}のPORTABLE_PREFIXES=\"{prefixes}\"に、イメージ名の接頭辞`{prefix}`がありません。PORTABLE_PREFIXESに`{prefix}`を加えるか、イメージ名を変えてください（portabledは \"are not compatible with portable service image\"で断ります）。"
    )]
    PrefixesMismatch {
        file: String,
        prefixes: String,
        prefix: String,
    },
    #[error(
        "イメージ{image}にマウントポイント/{path}がありません。空の{kind}を置いてください（portabledはアタッチしますが、サービスの起動が失敗します）。"
    )]
    MountPointMissing {
        image: String,
        path: String,
        kind: &'static str,
    },
    #[error(
        "{unit}のExecStart=にある{path}がイメージにありません。マニフェストのbinariesに加えてください。"
    )]
    ExecMissing { unit: String, path: String },
    #[error(
        "{unit}のExecStart=にある{path}に実行権限がありません（モード{mode:o}）。`chmod 755`してください。"
    )]
    ExecNotExecutable {
        unit: String,
        path: String,
        mode: u32,
    },
    #[error(
        "{unit}のExecStart=にある{path}はインタープリター{interpreter}を使いますが、イメージにありません。静的リンク（x86_64-unknown-linux-muslなど）でビルドするか、{interpreter}を入れてください。"
    )]
    InterpreterMissing {
        unit: String,
        path: String,
        interpreter: String,
    },
    #[error(
        "シンボリックリンク{path}の先{target}がイメージの外を指しています。イメージの中を指す相対パスにしてください。"
    )]
    SymlinkEscapes { path: String, target: String },
}

// ANCHOR: validate
/// ディレクトリイメージ`root`を、ファイル名`image_name` (例: `hello_1.raw`)で確かめ、問題をすべて返します。
pub fn validate_directory(root: &Path, image_name: &str) -> Vec<ValidationError> {
    let image = image_name.to_owned();
    let mut errors = Vec::new();

    // os-release: portabledは/etcを先に、なければ/usr/libを読みます。
    let os_release = ["etc/os-release", "usr/lib/os-release"]
        .into_iter()
        .find(|file| root.join(file).is_file());
    let fields = match os_release {
        Some(file) => parse_os_release(&root.join(file), file, &mut errors),
        None => {
            errors.push(ValidationError::OsReleaseMissing {
                image: image.clone(),
            });
            Vec::new()
        }
    };

    // ユニット: portablectlと同じくファイル名から接頭辞を決め、一致するものだけが対象です。
    let prefix = image_prefix(image_name);
    let units = check_units(root, &image, prefix, &mut errors);
    check_prefixes(&fields, os_release.unwrap_or_default(), prefix, &mut errors);

    // 読み取り専用のイメージでは、マウントポイントが欠けていると起動時に失敗します。
    check_mount_points(root, &image, &mut errors);
    for unit in &units {
        exec::check_exec_start(root, unit, &mut errors);
    }
    check_symlinks(root, root, &mut errors);
    errors
}
// ANCHOR_END: validate

fn parse_os_release(
    path: &Path,
    file: &str,
    errors: &mut Vec<ValidationError>,
) -> Vec<(String, String)> {
    let text = fs::read_to_string(path).unwrap_or_default();
    let fields: Vec<(String, String)> = text
        .lines()
        .filter_map(|line| line.split_once('='))
        .map(|(key, value)| {
            (
                key.trim().to_owned(),
                value.trim().trim_matches(['"', '\'']).to_owned(),
            )
        })
        .collect();
    if !fields
        .iter()
        .any(|(key, value)| key == "ID" && !value.is_empty())
    {
        errors.push(ValidationError::OsReleaseNoId {
            file: format!("/{file}"),
        });
    }
    fields
}

fn check_units(
    root: &Path,
    image: &str,
    prefix: &str,
    errors: &mut Vec<ValidationError>,
) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for dir in ["etc/systemd/system", UNIT_DIR, "lib/systemd/system"] {
        let Ok(entries) = fs::read_dir(root.join(dir)) else {
            continue;
        };
        names.extend(
            entries
                .flatten()
                .map(|entry| entry.file_name().to_string_lossy().into_owned()),
        );
    }
    names.sort();
    names.dedup();

    let matching: Vec<String> = names
        .iter()
        .filter(|name| unit_matches_prefix(name, prefix))
        .cloned()
        .collect();
    if matching.is_empty() {
        let found = if names.is_empty() {
            "なし".to_owned()
        } else {
            names.join(", ")
        };
        let file_name = image.rsplit('/').next().unwrap_or(image);
        let hint = match file_name.matches('_').count() {
            0 | 1 => String::new(),
            _ => format!("名前`{file_name}`の接頭辞は最初の`_`までの`{prefix}`です。"),
        };
        errors.push(ValidationError::NoMatchingUnit {
            image: image.to_owned(),
            prefix: prefix.to_owned(),
            found,
            hint,
        });
    }
    matching
}

fn check_prefixes(
    fields: &[(String, String)],
    file: &str,
    prefix: &str,
    errors: &mut Vec<ValidationError>,
) {
    let Some((_, prefixes)) = fields.iter().find(|(key, _)| key == "PORTABLE_PREFIXES") else {
        return;
    };
    if !prefixes.split_whitespace().any(|allowed| allowed == prefix) {
        let (file, prefixes, prefix) = (format!("/{file}"), prefixes.clone(), prefix.to_owned());
        errors.push(ValidationError::PrefixesMismatch {
            file,
            prefixes,
            prefix,
        });
    }
}

fn check_mount_points(root: &Path, image: &str, errors: &mut Vec<ValidationError>) {
    let dirs = MOUNT_POINT_DIRS
        .iter()
        .map(|path| (path, "ディレクトリ", root.join(path).is_dir()));
    let files = MOUNT_POINT_FILES
        .iter()
        .map(|path| (path, "ファイル", root.join(path).is_file()));
    for (path, kind, present) in dirs.chain(files) {
        if !present {
            errors.push(ValidationError::MountPointMissing {
                image: image.to_owned(),
                path: path.to_string(),
                kind,
            });
        }
    }
}

/// 相対リンクが`..`でイメージのルートより上に出ていないかを、ディレクトリを順にたどって確かめます。
fn check_symlinks(root: &Path, dir: &Path, errors: &mut Vec<ValidationError>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.flatten().collect();
    entries.sort_by_key(|entry| entry.file_name());
    for entry in entries {
        let path = entry.path();
        let Ok(metadata) = fs::symlink_metadata(&path) else {
            continue;
        };
        if metadata.is_dir() {
            check_symlinks(root, &path, errors);
        } else if metadata.file_type().is_symlink() {
            let target = fs::read_link(&path).unwrap_or_default();
            let inside = path
                .parent()
                .unwrap_or(root)
                .strip_prefix(root)
                .unwrap_or(Path::new(""));
            if target.is_relative() && escapes(&inside.join(&target)) {
                let shown = format!("/{}", path.strip_prefix(root).unwrap_or(&path).display());
                errors.push(ValidationError::SymlinkEscapes {
                    path: shown,
                    target: target.display().to_string(),
                });
            }
        }
    }
}

/// ルートからの相対パスが`..`でルートより上に出るかを返します。
fn escapes(path: &Path) -> bool {
    let mut depth: i32 = 0;
    for component in path.components() {
        match component {
            Component::ParentDir => depth -= 1,
            Component::Normal(_) => depth += 1,
            _ => {}
        }
        if depth < 0 {
            return true;
        }
    }
    false
}

/// イメージの中の絶対パスを、イメージの中に閉じたままシンボリックリンクをたどってホストのパスにします。
pub(crate) fn resolve_in_image(root: &Path, path: &str) -> Option<PathBuf> {
    let mut current = PathBuf::new();
    let mut pending: Vec<String> = path
        .split('/')
        .filter(|part| !part.is_empty())
        .rev()
        .map(str::to_owned)
        .collect();
    let mut hops = 0;
    while let Some(part) = pending.pop() {
        match part.as_str() {
            "." => continue,
            ".." => {
                current.pop();
                continue;
            }
            _ => current.push(&part),
        }
        let host = root.join(&current);
        let metadata = fs::symlink_metadata(&host).ok()?;
        if metadata.file_type().is_symlink() {
            hops += 1;
            if hops > 40 {
                return None;
            }
            let target = fs::read_link(&host).ok()?;
            current.pop();
            if target.is_absolute() {
                current = PathBuf::new();
            }
            let parts = target
                .to_string_lossy()
                .split('/')
                .filter(|p| !p.is_empty())
                .map(str::to_owned)
                .collect::<Vec<_>>();
            pending.extend(parts.into_iter().rev());
        }
    }
    Some(root.join(current))
}

/// ファイルのモードから実行権限の有無を返します。
pub(crate) fn is_executable(path: &Path) -> Option<(bool, u32)> {
    let mode = fs::metadata(path).ok()?.permissions().mode();
    Some((mode & 0o111 != 0, mode & 0o7777))
}
