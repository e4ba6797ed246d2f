//! 第4章のラボ: 第1章から第3章の3つを1つのサービスにまとめます。
//!
//! - [`service`] は、karui-svcの中身です。`/health`を第2章のWASMホストに任せ、すべてのリクエストを第3章のストアに記録します。
//! - [`schema`] と [`requests`] は、リクエストの記録のスキーマと読み書きです。
//! - [`recorder`] は、記録をまとめて書くスレッドです。
//! - [`metrics`] は、`/metrics`の本文（Prometheusのテキスト形式とJSON）です。
//! - [`image`] は、karui-svcとコンポーネントを第1章の方法でポータブルイメージにします。
//! - [`deploy`] は、ラボマシンにアタッチし、プロファイルとエンジンを試し、負荷をかけたまま更新します。
//! - [`bench`] と [`report`] は、第5章の計測と、その表と図です。

#[cfg(feature = "client")]
pub mod bench;
#[cfg(feature = "client")]
pub mod deploy;
#[cfg(feature = "client")]
pub mod image;
pub mod metrics;
pub mod recorder;
#[cfg(feature = "client")]
pub mod report;
pub mod requests;
pub mod schema;
pub mod service;

/// このビルドのサービスの版です。`--features v2`でビルドすると2になります。
pub const VERSION: u32 = if cfg!(feature = "v2") { 2 } else { 1 };
