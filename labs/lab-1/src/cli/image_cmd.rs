//! `lab-1 build`と`lab-1 inspect`。

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::Context;
use clap::Args;
use lab_1::image::{self, Manifest, listing};
use lab_1::upgrade::hello_image;

/// `lab-1 build`の引数。
#[derive(Debug, Args)]
pub struct BuildArgs {
    /// マニフェスト（TOML）のパス。
    #[arg(
        required_unless_present = "hello",
        value_name = "マニフェスト",
        help_heading = "引数"
    )]
    pub manifest: Option<PathBuf>,
    /// マニフェストの代わりに、ラボのhello-svcのイメージをこの版で作ります（hello-svcもビルドします）。
    #[arg(long, value_name = "版", conflicts_with = "manifest")]
    pub hello: Option<String>,
    /// --helloのイメージにソケットユニットを入れず、サービスが自分でbindするようにします。
    #[arg(long, requires = "hello")]
    pub no_socket: bool,
    /// --helloのイメージが待ち受けるループバックのポート。既定値は18080です。
    #[arg(
        long,
        value_name = "ポート",
        default_value_t = 18080,
        hide_default_value = true,
        requires = "hello"
    )]
    pub port: u16,
    /// 出力先のディレクトリ。既定値はカレントディレクトリ（`.`）です。
    #[arg(
        short,
        long,
        value_name = "ディレクトリ",
        default_value = ".",
        hide_default_value = true
    )]
    pub out: PathBuf,
    /// `.raw`ではなくディレクトリイメージを作ります。
    #[arg(long)]
    pub directory: bool,
}

pub fn build(args: BuildArgs) -> anyhow::Result<()> {
    let manifest = match (&args.manifest, &args.hello) {
        (Some(path), _) => Manifest::load(path)?,
        (None, Some(version)) => {
            let binary = hello_image::build_hello_svc()?;
            hello_image::hello_manifest(version, args.port, !args.no_socket, &binary)
        }
        (None, None) => anyhow::bail!("マニフェストか--helloを指定してください。"),
    };
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("{}を作れません", args.out.display()))?;
    let path = match args.directory {
        true => image::build_directory(&manifest, &args.out)?,
        false => image::build_raw(&manifest, &args.out)?,
    };
    let size = std::fs::metadata(&path)
        .map(|metadata| metadata.len())
        .unwrap_or(0);
    match args.directory {
        true => println!("ディレクトリイメージ{}を作りました。", path.display()),
        false => println!("イメージ{}（{size}バイト）を作りました。", path.display()),
    }
    Ok(())
}

/// `.raw`を`temp`の下へunsquashfsで展開し、展開先のルートを返します。
pub fn unpack_raw(path: &Path, temp: &Path) -> anyhow::Result<PathBuf> {
    let root = temp.join("root");
    let status = Command::new("unsquashfs")
        .args(["-quiet", "-no-progress", "-d"])
        .arg(&root)
        .arg(path)
        .status();
    let status = status
        .context("unsquashfsを実行できません。`sudo apt-get install squashfs-tools`でインストールしてください")?;
    anyhow::ensure!(
        status.success(),
        "{}をsquashfsとして展開できません（{status}）。mksquashfsで作った.rawか確かめてください。",
        path.display()
    );
    Ok(root)
}

/// イメージのパスがなければ、そう伝えるエラーを返します。
pub fn ensure_exists(path: &Path) -> anyhow::Result<()> {
    anyhow::ensure!(
        path.exists(),
        "イメージ{}が見つかりません。パスを確かめてください（.rawは`lab-1 build`で作れます）。",
        path.display()
    );
    Ok(())
}

/// ディレクトリか`.raw`を確かめ、中身の一覧と問題を表示します。`.raw`は一時ディレクトリへ展開して確かめます。
pub fn inspect_offline(path: &Path) -> anyhow::Result<()> {
    ensure_exists(path)?;
    let name = path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp = tempfile::tempdir().context("一時ディレクトリを作れません")?;
    let (root, listing) = if path.is_dir() {
        (path.to_owned(), listing::list_directory(path))
    } else {
        (unpack_raw(path, temp.path())?, listing::list_raw(path)?)
    };

    println!("{listing}\n");
    let errors = image::validate_directory(&root, &name);
    if errors.is_empty() {
        println!("イメージ{name}に問題は見つかりませんでした。");
        return Ok(());
    }
    for error in &errors {
        println!("- {error}");
    }
    anyhow::bail!("イメージ{name}に{}件の問題があります。", errors.len())
}
