//! CLIの共通部分: 日本語の使い方エラー、ゲストの一覧、終了の合図です。

use std::process::ExitCode;

use clap::error::{ContextKind, ContextValue, ErrorKind};
use comfy_table::Table;

use crate::aot::format_size;

/// このCLIのコマンドの名前です。ヒントに、打ったコマンドの名前を出すために使います。
const COMMANDS: [&str; 5] = ["serve", "compile", "guests", "sandbox", "bench"];

/// clapのエラーを日本語にして表示し、終了コードを返します。ヘルプの表示もここを通ります。
pub fn usage_error(err: clap::Error) -> ExitCode {
    usage_error_for("lab-2", &COMMANDS, err)
}

/// [`usage_error`]と同じですが、プログラム名`program`とサブコマンドの一覧`commands`を選べます（第4章のCLIも使います）。
pub fn usage_error_for(program: &str, commands: &[&str], err: clap::Error) -> ExitCode {
    let context = |kind| err.get(kind).map(ToString::to_string).unwrap_or_default();
    let command = std::env::args()
        .skip(1)
        .find(|arg| commands.contains(&arg.as_str()));
    let help = match &command {
        Some(name) => format!("`{program} {name} --help`"),
        None => format!("`{program} --help`"),
    };
    let message = match err.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            print!("{err}");
            return ExitCode::SUCCESS;
        }
        ErrorKind::MissingSubcommand | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            format!(
                "コマンドがありません（使い方: {program} <コマンド> [オプション]）。{help}でコマンドの一覧を見てください。"
            )
        }
        ErrorKind::InvalidSubcommand => format!(
            "コマンド`{}`はありません。{help}でコマンドの一覧を見てください。",
            context(ContextKind::InvalidSubcommand)
        ),
        ErrorKind::UnknownArgument => {
            let arg = context(ContextKind::InvalidArg);
            match arg.starts_with('-') {
                true => format!(
                    "オプション`{arg}`はありません。{help}で使えるオプションを見てください。"
                ),
                false => format!("余分な引数`{arg}`があります。{help}で取る引数を見てください。"),
            }
        }
        ErrorKind::InvalidValue => format!(
            "`{}`に値`{}`は使えません。使える値: {}。",
            context(ContextKind::InvalidArg),
            context(ContextKind::InvalidValue),
            valid_values(&err)
        ),
        ErrorKind::ValueValidation => format!(
            "`{}`の値`{}`が正しくありません。{help}で値の形を見てください。",
            context(ContextKind::InvalidArg),
            context(ContextKind::InvalidValue)
        ),
        ErrorKind::MissingRequiredArgument => format!(
            "必要な引数{}がありません。{help}で引数を見てください。",
            missing_args(&err)
        ),
        _ => format!(
            "引数を解釈できません。{help}を見てください（{}）。",
            err.kind()
        ),
    };
    eprintln!("エラー: {message}");
    ExitCode::from(2)
}

/// 足りない引数の名前です。`--output <FILE>`、`<COMPONENT>`のように並べます。
fn missing_args(err: &clap::Error) -> String {
    match err.get(ContextKind::InvalidArg) {
        Some(ContextValue::Strings(names)) => names
            .iter()
            .map(|name| format!("`{name}`"))
            .collect::<Vec<_>>()
            .join("、"),
        Some(other) => format!("`{other}`"),
        None => String::new(),
    }
}

/// 使える値の一覧です。clapが値を持っていないときは、ヘルプを見るよう促します。
fn valid_values(err: &clap::Error) -> String {
    match err.get(ContextKind::ValidValue) {
        Some(ContextValue::Strings(values)) => values.join("、"),
        Some(other) => other.to_string(),
        None => "ヘルプを見てください".to_string(),
    }
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
/// SIGTERM（systemdの停止）かCtrl-Cを待ちます。
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
