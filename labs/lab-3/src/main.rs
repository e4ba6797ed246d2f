//! `lab-3` コマンドです。

mod cli;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = match cli::args::Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => return cli::usage::exit_with(&error),
    };
    match cli::commands::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        // `lab-3 query | head` のように読み手が先に閉じたら、ripgrep と同じく黙って終わります。
        Err(error) if is_broken_pipe(&error) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("エラー: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
