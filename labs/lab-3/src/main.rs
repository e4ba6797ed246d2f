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
        Err(error) => {
            eprintln!("エラー: {error:#}");
            ExitCode::FAILURE
        }
    }
}
