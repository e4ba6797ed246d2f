//! hello-svc: ポータブルサービスとして配る小さなHTTPサーバー。
//!
//! 環境変数`HELLO_VERSION`を版として返し、ソケットアクティベーションがなければ
//! `HELLO_LISTEN` (既定`127.0.0.1:8080`)に自分でbindします。

use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;

use lab_1::activation::{ListenerSource, take_listener};
use lab_1::hello::{install_shutdown_handler, serve};

static SHUTDOWN: AtomicBool = AtomicBool::new(false);

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("hello-svc: エラー: {error}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> std::io::Result<()> {
    let version = std::env::var("HELLO_VERSION").unwrap_or_else(|_| "dev".to_owned());
    let listen = std::env::var("HELLO_LISTEN").unwrap_or_else(|_| "127.0.0.1:8080".to_owned());
    let fallback: SocketAddr = listen.parse().map_err(|_| {
        std::io::Error::other(format!(
            "HELLO_LISTENの値`{listen}`はアドレスではありません。例: 127.0.0.1:8080"
        ))
    })?;

    install_shutdown_handler(&SHUTDOWN)?;
    let (listener, source) = take_listener(fallback)?;
    listener.set_nonblocking(true)?;
    match source {
        ListenerSource::Activated(name) => {
            eprintln!(
                "hello-svc {version}: systemdから受け取ったソケット（{name}）で待ち受けます。"
            )
        }
        ListenerSource::Bound(address) => {
            eprintln!("hello-svc {version}: {address}に自分でbindして待ち受けます。")
        }
    }

    let served = serve(&listener, &version, &SHUTDOWN)?;
    eprintln!("hello-svc {version}: {served}件の接続を処理して終了します。");
    Ok(())
}
