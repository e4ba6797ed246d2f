//! テストで共有する準備: karui-svcの起動と停止、HTTPの要求、ラボマシンの見張りです。
#![allow(dead_code)]

use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use lab_1::machine::{self, Running};

/// 動いているkarui-svcです。Dropで、自分のpidにSIGKILLを送って止めます（テストが失敗したときも）。
pub struct Svc {
    pub child: Option<Child>,
    pub address: SocketAddr,
}

impl Svc {
    /// `binary`を`state_dir`で起動し、`/health`に答えるまで待ちます（最大30秒）。
    pub fn start(binary: &Path, state_dir: &Path, component: &Path, engine: &str) -> Svc {
        let address = free_port();
        let child = Command::new(binary)
            .args(["--engine", engine, "--component"])
            .arg(component)
            .arg("--state-dir")
            .arg(state_dir)
            .arg("--listen")
            .arg(address.to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("{}を起動できません: {e}", binary.display()));
        let mut svc = Svc {
            child: Some(child),
            address,
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        while lab_1::upgrade::load::http_get(address, "/health").is_err() {
            if let Some(status) = svc.child.as_mut().unwrap().try_wait().unwrap() {
                let output = svc.child.take().unwrap().wait_with_output().unwrap();
                panic!(
                    "karui-svcが終了しました（{status}）: {}",
                    String::from_utf8_lossy(&output.stderr)
                );
            }
            assert!(Instant::now() < deadline, "karui-svcが30秒以内に答えません");
            std::thread::sleep(Duration::from_millis(50));
        }
        svc
    }

    /// SIGTERMで止め、終了コードとログ（標準エラー）を返します。
    pub fn stop(self) -> (std::process::ExitStatus, String) {
        let pid = self.child.as_ref().unwrap().id() as i32;
        // SAFETY: killは自分で起動した子プロセスのpidにシグナルを送るだけです。
        unsafe { libc::kill(pid, libc::SIGTERM) };
        self.stop_after_signal()
    }

    /// すでに停止の合図を送ったプロセスの終わりを待ち、終了コードとログ（標準エラー）を返します。
    pub fn stop_after_signal(mut self) -> (std::process::ExitStatus, String) {
        let output = self.child.take().unwrap().wait_with_output().unwrap();
        (
            output.status,
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    }
}

impl Drop for Svc {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// `/health`を`count`回送り、すべて200だったことを確かめます。
pub fn send_health(svc: &Svc, count: usize) {
    for i in 0..count {
        let result = lab_1::upgrade::load::http_get_with_head(svc.address, "/health");
        assert!(result.is_ok(), "{i}件目の/healthが失敗しました: {result:?}");
    }
}

/// muslでビルドした版`version`のkarui-svcを、`state`を記録の置き場にしてPulleyで起動します。
pub fn start(version: u32, state: &Path) -> Svc {
    Svc::start(
        &karui_svc(version),
        state,
        lab_2::guests::health(),
        "pulley",
    )
}

/// 空いているループバックのポートです。
pub fn free_port() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap()
}

/// muslでビルドしたkarui-svcの版`version`（テストの実行ごとに1回だけビルドします）。
pub fn karui_svc(version: u32) -> PathBuf {
    static BINARIES: Mutex<Vec<(u32, PathBuf)>> = Mutex::new(Vec::new());
    let mut built = BINARIES.lock().unwrap_or_else(|p| p.into_inner());
    if let Some((_, path)) = built.iter().find(|(v, _)| *v == version) {
        return path.clone();
    }
    let path = lab_4::image::build_karui_svc(version).unwrap_or_else(|e| panic!("{e}"));
    built.push((version, path.clone()));
    path
}

/// 起動中のラボマシンを返します（[`machine::test_machine`]）。
pub fn lab_machine() -> (Running, (MutexGuard<'static, ()>, std::fs::File)) {
    machine::test_machine("cargo test -p lab-4")
}
