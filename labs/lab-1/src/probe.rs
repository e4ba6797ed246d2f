//! サンドボックスの探り: サービスの中から、プロファイルが本当に止めるものを試します。
//!
//! hello-svcは`GET /probe?port=N`にこの結果を返します。テストは同じイメージを各プロファイルでアタッチして比べます。

use std::io;
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::time::Duration;

// ANCHOR: probe
/// 3つを試し、JSONの1行で返します。
/// - `connect`: ホストのループバックの`port`へ外向きにTCP接続できるか。
/// - `write_run`: 状態ディレクトリの外（`/run/hello-probe`）に書けるか。
/// - `uid`: サービスが動くユーザーID。
pub fn probe(port: u16) -> String {
    let address = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let connect = TcpStream::connect_timeout(&address, Duration::from_secs(2)).map(drop);
    let write_run = std::fs::write("/run/hello-probe", b"probe\n");
    // SAFETY: getuidは引数を取らず、失敗しません。
    let uid = unsafe { libc::getuid() };
    format!(
        "{{\"connect\":\"{}\",\"write_run\":\"{}\",\"uid\":{uid}}}\n",
        outcome(connect),
        outcome(write_run)
    )
}
// ANCHOR_END: probe

/// 成功なら`ok`、失敗ならerrnoの名前（`EAFNOSUPPORT`など）。
fn outcome(result: io::Result<()>) -> String {
    let Err(error) = result else {
        return "ok".to_owned();
    };
    let name = match error.raw_os_error() {
        Some(libc::EPERM) => "EPERM",
        Some(libc::EACCES) => "EACCES",
        Some(libc::EROFS) => "EROFS",
        Some(libc::ENOENT) => "ENOENT",
        Some(libc::EAFNOSUPPORT) => "EAFNOSUPPORT",
        Some(libc::ECONNREFUSED) => "ECONNREFUSED",
        Some(libc::ENETUNREACH) => "ENETUNREACH",
        Some(code) => return format!("errno {code}"),
        None => return format!("{:?}", error.kind()),
    };
    name.to_owned()
}
