//! 比較用に`wasmtime serve`（wasmtime-cli）を子プロセスで動かします。

use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::loadgen::LoadResult;

/// 子プロセスをdropで必ず止めるガードです。
struct ChildGuard(Child);

impl Drop for ChildGuard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `wasmtime serve`を起動して、待ち受けを始めたら`run`で負荷をかけます。
pub fn measure(
    cli: &Path,
    component: &Path,
    run: impl FnOnce(SocketAddr) -> anyhow::Result<LoadResult>,
) -> anyhow::Result<LoadResult> {
    // 空いているポートを1つ借りて、すぐ返します。
    let addr = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?;
    let child = Command::new(cli)
        .arg("serve")
        .arg("--addr")
        .arg(addr.to_string())
        // Rustのstdを使うゲストはwasi:cliもインポートするので、それを許します。
        .arg("-Scli")
        .arg(component)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| anyhow::anyhow!("`{}`を起動できません: {e}。", cli.display()))?;
    let _guard = ChildGuard(child);

    // 最大30秒、接続できるようになるのを待ちます。
    let started = Instant::now();
    while std::net::TcpStream::connect(addr).is_err() {
        if started.elapsed() > Duration::from_secs(30) {
            anyhow::bail!("`wasmtime serve`が30秒以内に{addr}で待ち受けを始めません。");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    run(addr)
}
