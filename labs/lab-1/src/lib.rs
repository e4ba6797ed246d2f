//! 第1章のラボ: systemdポータブルサービス。
//!
//! - [`activation`] は、ソケットアクティベーションでリスニングソケットを受け取ります。
//! - [`hello`] は、イメージに入れて配るHTTPサーバーhello-svcの中身です。
//! - [`probe`] は、サービスの中からサンドボックスの効き目を試します。
//! - [`image`] は、イメージを作り、portabledと同じ規則で確かめます。
//! - [`portabled`] は、zbusでportabledとPID 1に話します。
//! - [`upgrade`] は、負荷をかけたままv1からv2へ更新し、失敗を数えます。
//! - [`machine`] は、本物のsystemdが動くラボマシン（systemd-nspawn）を起動、停止します。

pub mod activation;
pub mod hello;
#[cfg(feature = "client")]
pub mod image;
#[cfg(feature = "client")]
pub mod machine;
#[cfg(feature = "client")]
pub mod portabled;
pub mod probe;
#[cfg(feature = "client")]
pub mod upgrade;
