//! 計測するサーバーのプロセス: ループバックで起動し、最初の200までの時間を測り、pidで止めます。

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// 起動を待つ上限です。これを過ぎたら起動に失敗したとみなします。
const STARTUP_TIMEOUT: Duration = Duration::from_secs(30);
/// `/health`を試す間隔です。起動時間の分解能はこの程度になります。
const POLL_INTERVAL: Duration = Duration::from_micros(500);
/// SIGTERMの後、終わるのを待つ上限です。過ぎたらSIGKILLを送ります。
const STOP_TIMEOUT: Duration = Duration::from_secs(10);

/// サーバーの種類です。
#[derive(Debug, Clone)]
pub enum ServerKind {
    /// 第2章の静的ネイティブバイナリ（`native-health ADDR`）です。
    Native,
    /// karui-svcを、このエンジンとコンポーネント（.wasmか.cwasm）で起動します。
    /// `backtrace`なら`RUST_BACKTRACE=1`を渡します（開発中のシェルによくある設定の費用を測るためです）。
    Karui {
        engine: String,
        component: PathBuf,
        backtrace: bool,
    },
}

/// 計測するサーバー（実行ファイルと起動のしかた）です。
#[derive(Debug, Clone)]
pub struct Server {
    pub program: PathBuf,
    pub kind: ServerKind,
}

impl Server {
    /// 静的ネイティブバイナリのサーバーです。
    pub fn native(program: &Path) -> Server {
        Server {
            program: program.to_owned(),
            kind: ServerKind::Native,
        }
    }

    /// karui-svcのサーバーです。
    pub fn karui(program: &Path, engine: &str, component: &Path) -> Server {
        Server {
            program: program.to_owned(),
            kind: ServerKind::Karui {
                engine: engine.to_owned(),
                component: component.to_owned(),
                backtrace: false,
            },
        }
    }

    /// 同じkarui-svcを、`RUST_BACKTRACE=1`を渡して起動するサーバーです。
    pub fn with_backtrace(mut self) -> Server {
        if let ServerKind::Karui { backtrace, .. } = &mut self.kind {
            *backtrace = true;
        }
        self
    }

    /// 表に出す名前です。例: `karui-svc（pulley、.cwasm）`。
    pub fn name(&self) -> String {
        match &self.kind {
            ServerKind::Native => "native-health（静的ネイティブ）".to_owned(),
            ServerKind::Karui {
                engine,
                component,
                backtrace,
            } => {
                let extension = component
                    .extension()
                    .map(|e| e.to_string_lossy().into_owned())
                    .unwrap_or_default();
                let env = if *backtrace {
                    "、RUST_BACKTRACE=1"
                } else {
                    ""
                };
                format!("karui-svc（{engine}、.{extension}{env}）")
            }
        }
    }

    // ANCHOR: start
    /// 空いているポートと新しい状態ディレクトリで起動し、`/health`が200を返すまで待ちます。
    /// 測る時間は、プロセスを作る直前から最初の200の応答を読み終えるまでです。
    pub fn start(&self) -> anyhow::Result<Running> {
        let addr = free_loopback_addr()?;
        let state = tempfile::tempdir()?;
        let log = std::fs::File::create(state.path().join("server.log"))?;

        let mut command = Command::new(&self.program);
        // RUST_BACKTRACEは渡しません。systemdはサービスをこの変数なしで起動するからです。
        // wasmtimeはStoreを捨てるたびにエラーの値を作るので、この変数があるとリクエストごとに
        // バックトレースを取り、muslのアンワインダーでは遅くなります（表のRUST_BACKTRACE=1の行）。
        command
            .env_remove("RUST_BACKTRACE")
            .env_remove("RUST_LIB_BACKTRACE");
        match &self.kind {
            ServerKind::Native => {
                command.arg(addr.to_string());
            }
            ServerKind::Karui {
                engine,
                component,
                backtrace,
            } => {
                if *backtrace {
                    command.env("RUST_BACKTRACE", "1");
                }
                command
                    .args(["--engine", engine, "--component"])
                    .arg(component)
                    .arg("--state-dir")
                    .arg(state.path())
                    .arg("--listen")
                    .arg(addr.to_string());
            }
        }
        // ソケットアクティベーションの変数を子に渡さず、子が自分で`--listen`のアドレスにbindするようにします。
        command
            .env_remove("LISTEN_FDS")
            .env_remove("LISTEN_PID")
            .env_remove("LISTEN_FDNAMES")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log);

        let started = Instant::now();
        let child = command
            .spawn()
            .map_err(|e| anyhow::anyhow!("{}を起動できません: {e}", self.program.display()))?;
        let mut running = Running {
            child,
            addr,
            startup: Duration::ZERO,
            state,
        };
        running.startup = running.wait_for_health(started)?;
        Ok(running)
    }
    // ANCHOR_END: start
}

/// 動いているサーバーです。落とすとSIGTERMで止め、終わるのを待ちます。
pub struct Running {
    child: Child,
    pub addr: SocketAddr,
    /// execから最初の200までの時間です。
    pub startup: Duration,
    state: tempfile::TempDir,
}

impl Running {
    /// `/health`が200を返すまで試し、`started`からの時間を返します。
    fn wait_for_health(&mut self, started: Instant) -> anyhow::Result<Duration> {
        let deadline = started + STARTUP_TIMEOUT;
        while Instant::now() < deadline {
            if get_health(self.addr) {
                return Ok(started.elapsed());
            }
            if let Some(status) = self.child.try_wait()? {
                anyhow::bail!(
                    "サーバーが{status}で終了しました。ログ: {}",
                    self.log_tail()
                );
            }
            std::thread::sleep(POLL_INTERVAL);
        }
        anyhow::bail!(
            "サーバーが{}秒以内に/healthへ200を返しませんでした。ログ: {}",
            STARTUP_TIMEOUT.as_secs(),
            self.log_tail()
        )
    }

    /// サーバーのログの最後の数行です（エラーの説明用）。
    fn log_tail(&self) -> String {
        let text =
            std::fs::read_to_string(self.state.path().join("server.log")).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(5)..].join(" / ")
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        // 自分が起動した子だけを、そのpidで止めます。
        let pid = self.child.id() as libc::pid_t;
        // SAFETY: killは引数の整数を読むだけで、メモリに触れません。
        unsafe { libc::kill(pid, libc::SIGTERM) };
        let deadline = Instant::now() + STOP_TIMEOUT;
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        eprintln!(
            "pid {pid}がSIGTERMから{}秒で終わらなかったので、SIGKILLを送ります。",
            STOP_TIMEOUT.as_secs()
        );
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// ループバックの空いているポートです。一度bindして番号だけを取り、すぐ閉じます。
fn free_loopback_addr() -> anyhow::Result<SocketAddr> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    Ok(listener.local_addr()?)
}

/// `GET /health`を1回送り、200が返れば`true`です。接続できないときも`false`です。
fn get_health(addr: SocketAddr) -> bool {
    let timeout = Duration::from_secs(2);
    let Ok(mut stream) = TcpStream::connect_timeout(&addr, timeout) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(timeout));
    let request = format!("GET /health HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    if stream.write_all(request.as_bytes()).is_err() {
        return false;
    }
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response);
    response.starts_with(b"HTTP/1.1 200")
}
