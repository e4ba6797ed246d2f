//! `lab-4`: 第4章のラボのCLIです。ヘルプ、メッセージ、エラーは日本語です。

mod cli;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = match cli::Cli::try_parse() {
        Ok(args) => args,
        Err(error) => return lab_2::cli::usage_error_for("lab-4", &cli::COMMANDS, error),
    };
    match cli::run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("エラー: {error:#}");
            ExitCode::FAILURE
        }
    }
}
