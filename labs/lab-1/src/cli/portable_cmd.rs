//! `lab-1 attach|detach|reattach|list|status`: portabledへの操作。

use std::path::Path;

use clap::{Args, ValueEnum};
use comfy_table::Table;
use lab_1::image;
use lab_1::machine::Target;
use lab_1::portabled::{AttachOptions, Change, Portable, attached_units, stage_image};

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Profile {
    Default,
    Nonetwork,
    Strict,
    Trusted,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum CopyMode {
    Auto,
    Copy,
    Symlink,
}

/// `attach`と`reattach`の引数。
#[derive(Debug, Args)]
pub struct AttachArgs {
    /// イメージのパス（ホストのファイルかディレクトリ）。ラボマシンの/var/lib/portablesへコピーしてから渡します。
    #[arg(value_name = "イメージ", help_heading = "引数")]
    pub image: String,
    /// プロファイル（サンドボックスの設定）: default、nonetwork、strict、trustedのどれか。既定値はdefaultです。
    #[arg(
        long,
        value_enum,
        value_name = "プロファイル",
        default_value = "default",
        hide_possible_values = true,
        hide_default_value = true
    )]
    pub profile: Profile,
    /// /etcではなく/runに置きます（再起動で消えます）。
    #[arg(long)]
    pub runtime: bool,
    /// ユニットファイルの置き方: auto（portabledに任せます）、copy、symlinkのどれか。既定値はautoです。
    #[arg(
        long,
        value_enum,
        value_name = "置き方",
        default_value = "auto",
        hide_possible_values = true,
        hide_default_value = true
    )]
    pub copy: CopyMode,
    /// ユニットを起動（reattachでは再起動）します。
    #[arg(long)]
    pub now: bool,
    #[command(flatten)]
    pub bus: super::BusArgs,
}

impl AttachArgs {
    fn options(&self) -> AttachOptions {
        let profile = format!("{:?}", self.profile).to_lowercase();
        let copy_mode = match self.copy {
            CopyMode::Auto => String::new(),
            other => format!("{other:?}").to_lowercase(),
        };
        AttachOptions {
            profile,
            runtime: self.runtime,
            copy_mode,
        }
    }
}

/// ホストにあるイメージ（ディレクトリか`.raw`）を、portabledに渡す前に検証します。
/// ホストにないパスはラボマシンの中のパスか名前として、そのままportabledに任せます。
pub fn validate_local_image(image: &str) -> anyhow::Result<()> {
    let path = Path::new(image);
    if !path.exists() {
        return Ok(());
    }
    let name = path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp = tempfile::tempdir()?;
    let root = match path.is_dir() {
        true => path.to_owned(),
        false => super::image_cmd::unpack_raw(path, temp.path())?,
    };
    let errors = image::validate_directory(&root, &name);
    if errors.is_empty() {
        return Ok(());
    }
    let list: String = errors.iter().map(|error| format!("\n- {error}")).collect();
    anyhow::bail!(
        "イメージ{name}に{}件の問題があるので、portabledに渡しませんでした。次の問題を直してから、もう一度実行してください（`lab-1 inspect {image}`でも確かめられます）。{list}",
        errors.len()
    )
}

/// ホストにあるイメージならラボマシンへコピーし、ラボマシンの中でのパスを返します。
fn prepare_image(target: &Target, image: &str) -> anyhow::Result<String> {
    let path = Path::new(image);
    if !path.exists() {
        return Ok(image.to_owned());
    }
    Ok(stage_image(&target.root(), path)?)
}

fn print_changes(changes: &[Change]) {
    for change in changes {
        println!("{change}");
    }
}

pub fn attach(target: &Target, portable: &Portable, args: AttachArgs) -> anyhow::Result<()> {
    let image = prepare_image(target, &args.image)?;
    let changes = portable.attach(&image, &args.options())?;
    print_changes(&changes);
    if args.now {
        for unit in portable.start_attached(&changes)? {
            println!("{unit}を起動しました。");
        }
    }
    Ok(())
}

pub fn reattach(target: &Target, portable: &Portable, args: AttachArgs) -> anyhow::Result<()> {
    let image = prepare_image(target, &args.image)?;
    let (removed, updated) = portable.reattach(&image, &args.options())?;
    print_changes(&removed);
    print_changes(&updated);
    if args.now {
        // ソケットはそのまま残し、サービスだけを新しい版で起動し直します。
        for unit in attached_units(&updated)
            .iter()
            .filter(|unit| unit.ends_with(".service"))
        {
            portable.restart_unit(unit)?;
            println!("{unit}を再起動しました。");
        }
    }
    Ok(())
}

pub fn detach(
    target: &Target,
    portable: &Portable,
    image: &str,
    runtime: bool,
    now: bool,
) -> anyhow::Result<()> {
    let image = match Path::new(image).file_name() {
        Some(name) if Path::new(image).exists() => {
            format!("/var/lib/portables/{}", name.to_string_lossy())
        }
        _ => image.to_owned(),
    };
    let stop: Vec<String> = match now {
        true => portable
            .metadata(&image)?
            .1
            .into_iter()
            .map(|(unit, _)| unit)
            .collect(),
        false => Vec::new(),
    };
    let changes = match portable.detach(&image, runtime, &stop) {
        Ok(changes) => changes,
        Err(error) if !runtime && attached_at_runtime(&target.root(), &image) => {
            anyhow::bail!(
                "{error}\nイメージ{image}は/runにアタッチされています（`attach --runtime`）。`lab-1 detach --runtime {image}`でデタッチしてください。"
            )
        }
        Err(error) => return Err(error.into()),
    };
    print_changes(&changes);
    for unit in stop {
        println!("{unit}を止めました。");
    }
    Ok(())
}

pub fn list(portable: &Portable, json: bool) -> anyhow::Result<()> {
    let mut images = portable.list_images()?;
    images.sort_by(|a, b| a.name.cmp(&b.name));
    if json {
        println!("{}", serde_json::to_string_pretty(&images)?);
        return Ok(());
    }
    let mut table = Table::new();
    table.set_header(["名前", "種類", "読み取り専用", "使用量", "状態", "更新時刻"]);
    for image in &images {
        let read_only = if image.read_only {
            "はい"
        } else {
            "いいえ"
        };
        // ディレクトリイメージなど、portabledが使用量を数えないときはu64::MAXが返ります。
        let usage = match image.usage_bytes {
            u64::MAX => "-".to_owned(),
            bytes => format!("{} KiB", bytes / 1024),
        };
        table.add_row([
            &image.name,
            &image.kind,
            read_only,
            &usage,
            &image.state,
            &local_time(image.mtime_usec),
        ]);
    }
    println!("{table}");
    println!("{}件のイメージがあります。", images.len());
    Ok(())
}

/// アタッチ済みのユニットと、その`20-portable.conf`が指すイメージを並べます。
/// GetImageStateは同じ接頭辞の版を区別しないので、どの版かはドロップインで見ます。
pub fn status(target: &Target, portable: &Portable, json: bool) -> anyhow::Result<()> {
    let attached = attached_images(&target.root());
    let units: Vec<String> = attached.iter().map(|(unit, _)| unit.clone()).collect();
    let states = portable.unit_states(&units)?;
    let rows: Vec<_> = attached
        .iter()
        .map(|(_, image)| image.clone())
        .zip(states)
        .collect();
    if json {
        println!("{}", serde_json::to_string_pretty(&rows)?);
        return Ok(());
    }
    let mut table = Table::new();
    table.set_header(["イメージ", "ユニット", "読み込み", "状態", "詳細"]);
    for (image, state) in &rows {
        table.add_row([
            image,
            &state.name,
            &state.load_state,
            &state.active_state,
            &state.sub_state,
        ]);
    }
    println!("{table}");
    Ok(())
}

/// `image`（パスか名前）が`/run/systemd/system.attached`にアタッチされているかを返します。
fn attached_at_runtime(root: &Path, image: &str) -> bool {
    let name = image.rsplit('/').next().unwrap_or(image);
    let stem = name.strip_suffix(".raw").unwrap_or(name);
    // 1行目は`# Drop-in created for image '/var/lib/portables/hello_1.raw', do not edit.`です。
    let drop_ins = root.join("run/systemd/system.attached");
    let Ok(entries) = std::fs::read_dir(drop_ins) else {
        return false;
    };
    entries.flatten().any(|entry| {
        let drop_in =
            std::fs::read_to_string(entry.path().join("20-portable.conf")).unwrap_or_default();
        drop_in.lines().next().is_some_and(|line| {
            line.contains(&format!("/{stem}'")) || line.contains(&format!("/{stem}.raw'"))
        })
    })
}

/// `/etc`と`/run`の`system.attached/UNIT.d/20-portable.conf`から（ユニット名, イメージのパス）を集めます。
fn attached_images(root: &Path) -> Vec<(String, String)> {
    let mut rows = Vec::new();
    for dir in ["etc/systemd/system.attached", "run/systemd/system.attached"] {
        let Ok(entries) = std::fs::read_dir(root.join(dir)) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let Some(unit) = name.strip_suffix(".d") else {
                continue;
            };
            let drop_in =
                std::fs::read_to_string(entry.path().join("20-portable.conf")).unwrap_or_default();
            // portabledはドロップインの1行目に`# Drop-in created for image '…', do not edit.`と書きます
            // (ソケットユニットにはRootImage= がないので、この行で見ます)。
            let image = drop_in.lines().find_map(|line| {
                line.strip_prefix("# Drop-in created for image '")?
                    .split_once('\'')
                    .map(|(path, _)| path)
            });
            rows.push((unit.to_owned(), image.unwrap_or("-").to_owned()));
        }
    }
    rows.sort();
    rows
}

/// UNIX時刻（マイクロ秒）をローカル時刻とオフセットで表します。例: `2026-12-04 19:00:00 +09:00`
fn local_time(usec: u64) -> String {
    // 0はportabledが時刻を知らないときの値です。
    let timestamp = jiff::Timestamp::from_microsecond(usec as i64);
    match timestamp {
        Ok(timestamp) if usec != 0 => {
            let zoned = timestamp.to_zoned(jiff::tz::TimeZone::system());
            zoned.strftime("%Y-%m-%d %H:%M:%S %:z").to_string()
        }
        _ => "-".to_owned(),
    }
}
