//! CLI の部品です: 引数の定義、使い方の誤りの日本語化、サブコマンドの実行、表示。

pub mod args;
pub mod bench;
pub mod commands;
pub mod ingest;
pub mod render;
pub mod usage;
