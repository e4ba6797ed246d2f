//! clap の使い方の誤り (英語) を、日本語のメッセージにしてから終了します。

use std::process::ExitCode;

use clap::error::{ContextKind, ContextValue, ErrorKind};

/// ヘルプの表示なら標準出力に出して 0、使い方の誤りなら日本語で標準エラー出力に出して 2 で終わります。
pub fn exit_with(error: &clap::Error) -> ExitCode {
    match error.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            print!("{}", error.render());
            ExitCode::SUCCESS
        }
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand | ErrorKind::MissingSubcommand => {
            eprint!("{}", error.render());
            eprintln!(
                "エラー: サブコマンドを指定してください。一覧は `lab-3 --help` で見られます。"
            );
            ExitCode::from(2)
        }
        _ => {
            eprintln!("エラー: {}", japanese_message(error));
            ExitCode::from(2)
        }
    }
}

/// 受講者がよく出会う誤りを日本語にします。それ以外は clap の英語の文を添えます。
pub fn japanese_message(error: &clap::Error) -> String {
    let arg = context(error, ContextKind::InvalidArg);
    let value = context(error, ContextKind::InvalidValue);
    let valid = context(error, ContextKind::ValidValue);
    let hint = "使い方は `lab-3 --help` か `lab-3 <コマンド> --help` で見られます。";
    match error.kind() {
        ErrorKind::InvalidSubcommand => {
            let name = context(error, ContextKind::InvalidSubcommand);
            format!("サブコマンド `{name}` はありません。{hint}")
        }
        // `-` で始まらなければオプションではなく、位置引数が多すぎます (`record a 1 2` の `2`)。
        ErrorKind::UnknownArgument if !arg.starts_with('-') => {
            format!("余分な引数 `{arg}` があります。{hint}")
        }
        ErrorKind::UnknownArgument => format!("オプション `{arg}` はありません。{hint}"),
        ErrorKind::MissingRequiredArgument => format!("引数 {arg} を指定してください。{hint}"),
        ErrorKind::InvalidValue if value.is_empty() && valid.is_empty() => {
            format!("{arg} に値を指定してください。{hint}")
        }
        // 自前の value_parser のエラーは、何を指定すればよいかまで日本語で書いてあります。
        // 位置引数 (`<VALUE>` など) の名前は添えず、オプションなら `--count:` のように名前を添えます。
        ErrorKind::ValueValidation => match std::error::Error::source(error) {
            Some(source) if arg.starts_with('-') => {
                let option = arg.split(' ').next().unwrap_or_default();
                format!("{option}: {source}")
            }
            Some(source) => source.to_string(),
            None => format!("{arg} の値 `{value}` は使えません。{hint}"),
        },
        ErrorKind::InvalidValue => match valid.is_empty() {
            true => format!("{arg} の値 `{value}` は使えません。{hint}"),
            false => {
                format!("{arg} の値 `{value}` は使えません。{valid} のどれかを指定してください。")
            }
        },
        ErrorKind::ArgumentConflict => {
            let other = context(error, ContextKind::PriorArg);
            format!("{arg} と {other} は同時に指定できません。{hint}")
        }
        ErrorKind::TooManyValues => {
            format!("余分な引数 `{value}` があります。{hint}")
        }
        _ => {
            let english = error.to_string();
            let first_line = english.lines().next().unwrap_or_default();
            format!("引数を読めません。{hint} ({first_line})")
        }
    }
}

fn context(error: &clap::Error, kind: ContextKind) -> String {
    match error.get(kind) {
        Some(ContextValue::String(s)) => s.clone(),
        Some(ContextValue::Strings(list)) => list.join(", "),
        Some(other) => other.to_string(),
        None => String::new(),
    }
}
