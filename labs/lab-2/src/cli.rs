//! CLIの共通部分: 日本語の使い方エラー、ゲストの一覧、終了の合図。

use std::process::ExitCode;

use clap::error::ErrorKind;
use comfy_table::Table;

use crate::aot::format_size;

/// clapのエラーを日本語にして表示し、終了コードを返します。
pub fn usage_error(err: clap::Error) -> ExitCode {
    let message = match err.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            print!("{err}");
            return ExitCode::SUCCESS;
        }
        ErrorKind::MissingSubcommand | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            "コマンドがありません。`lab-2 --help` でコマンドの一覧を見てください。".to_string()
        }
        ErrorKind::InvalidSubcommand => {
            "そのようなコマンドはありません。`lab-2 --help` でコマンドの一覧を見てください。".to_string()
        }
        ErrorKind::UnknownArgument => {
            "知らないオプションがあります。`lab-2 <コマンド> --help` で使えるオプションを見てください。"
                .to_string()
        }
        ErrorKind::InvalidValue | ErrorKind::ValueValidation => {
            "オプションの値が正しくありません。`lab-2 <コマンド> --help` で値の形を見てください。".to_string()
        }
        ErrorKind::MissingRequiredArgument => {
            "必要な引数がありません。`lab-2 <コマンド> --help` で引数を見てください。".to_string()
        }
        _ => "引数を解釈できません。`lab-2 --help` を見てください。".to_string(),
    };
    // clapの英語の説明 (どの引数か) は、検索できるように後ろに残します。
    let detail = err.to_string();
    let first = detail.lines().next().unwrap_or_default();
    eprintln!("エラー: {message} ({first})");
    ExitCode::from(2)
}

/// 組み込みのゲストのパスとサイズを表示します。
pub fn print_guests(json: bool) -> anyhow::Result<()> {
    let guests = [
        ("health", crate::guests::health()),
        ("hostile", crate::guests::hostile()),
    ];
    let mut rows = Vec::new();
    for (name, path) in guests {
        let bytes = std::fs::metadata(path)?.len();
        rows.push(serde_json::json!({ "name": name, "path": path, "bytes": bytes }));
    }
    if json {
        println!("{}", serde_json::to_string_pretty(&rows)?);
        return Ok(());
    }
    let mut table = Table::new();
    table.set_header(["ゲスト", "サイズ", "パス"]);
    for row in &rows {
        let bytes = row["bytes"].as_u64().unwrap_or(0);
        table.add_row([
            row["name"].as_str().unwrap_or_default().to_string(),
            format_size(bytes),
            row["path"].as_str().unwrap_or_default().to_string(),
        ]);
    }
    println!("{table}");
    Ok(())
}

// ANCHOR: shutdown_signal
/// SIGTERM (systemdの停止) かCtrl-Cを待ちます。
pub async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut term =
            signal(SignalKind::terminate()).expect("SIGTERMのハンドラーを登録できません");
        tokio::select! {
            _ = term.recv() => {}
            _ = tokio::signal::ctrl_c() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
// ANCHOR_END: shutdown_signal
