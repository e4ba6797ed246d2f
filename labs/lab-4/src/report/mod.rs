//! 第5章の表と図: 各ラボの計測結果から、主張ごとのMarkdownの表とSVGの図を作ります。
//! 同じ入力からは同じファイルができます（日時は入力に書かれたものだけを使います）。

pub mod inputs;
pub mod markdown;
pub mod plots;
pub mod tables;

use std::path::{Path, PathBuf};

pub use inputs::Inputs;

/// `lab-4 report`の引数です。
#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// 各ラボの計測結果がある`generated`ディレクトリです（既定: book/src/generated）。
    #[arg(
        long,
        value_name = "DIR",
        default_value = "book/src/generated",
        hide_default_value = true
    )]
    pub generated: PathBuf,

    /// 表と図を書くディレクトリです。省略すると`<generated>/ch05`です。
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

/// 出力するファイル1つ（名前と中身）です。
#[derive(Debug, Clone)]
pub struct Output {
    pub name: &'static str,
    pub text: String,
}

// ANCHOR: render
/// 読んだ計測結果から、第5章の表と図をすべて作ります。
pub fn render(inputs: &Inputs) -> anyhow::Result<Vec<Output>> {
    let output = |name, text| Output { name, text };
    Ok(vec![
        output("machine.md", tables::machine(inputs)),
        output("claim3-upgrade.md", tables::upgrade(inputs)),
        output("claim3-upgrade.svg", plots::upgrade(inputs)?),
        output("claim6-sizes.md", tables::sizes(inputs)),
        output("claim6-sizes.svg", plots::sizes(inputs)?),
        output("claim6-throughput.md", tables::throughput(inputs)),
        output("claim6-throughput.svg", plots::throughput(inputs)?),
        output("claim7-startup.md", tables::startup(inputs)),
        output("claim7-startup.svg", plots::startup(inputs)?),
        output("claim8-sqlite.md", tables::sqlite(inputs)),
        output("claim8-sqlite.svg", plots::sqlite(inputs)?),
    ])
}
// ANCHOR_END: render

/// 表と図を書きます。
pub fn run(args: ReportArgs) -> anyhow::Result<()> {
    let inputs = Inputs::read(&args.generated)?;
    let out = args.out.unwrap_or_else(|| args.generated.join("ch05"));
    write(&render(&inputs)?, &out)
}

/// `outputs`を`out`に書きます。
pub fn write(outputs: &[Output], out: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(out)?;
    for output in outputs {
        let path = out.join(output.name);
        std::fs::write(&path, &output.text)
            .map_err(|e| anyhow::anyhow!("{}を書けません: {e}", path.display()))?;
        println!("書きました: {}", path.display());
    }
    Ok(())
}
