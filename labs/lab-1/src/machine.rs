//! ラボマシン: debootstrapで作ったDebian 12のrootfsを`systemd-nspawn --boot`で起動し、
//! 本物のsystemd (PID 1)とportabledを用意します。
//!
//! ホストのルートでsystemdを起動してはいけません（起動時のtmpfilesがホストの/tmpを消します）。
//! そのためrootfsはクローンの外の固定ディレクトリ [`CACHE_DIR`] に置き、pidfileも同じ場所に置きます。

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

/// rootfs、pidfile、ログを置くディレクトリ。
pub const CACHE_DIR: &str = "/var/cache/karui/lab-machine";
/// 起動前に用意してコンテナへ渡すループデバイスの数。起動後に作ったデバイスはコンテナから見えません。
pub const LOOP_DEVICES: u32 = 64;
/// 起動完了を待つ上限。
const BOOT_TIMEOUT: Duration = Duration::from_secs(180);
/// 停止を待つ上限。過ぎたらSIGKILLで止めます。
const STOP_TIMEOUT: Duration = Duration::from_secs(60);
/// rootでないときに案内するコマンド。
pub const ROOT_COMMAND: &str = "sudo -E env \"PATH=$PATH\" cargo test -p lab-1";

/// ラボマシンの操作が失敗したときのエラー。
#[derive(Debug, thiserror::Error)]
pub enum MachineError {
    #[error(
        "ラボマシンの操作にはroot権限が必要です。`sudo -E env \"PATH=$PATH\" {0}`として実行してください。"
    )]
    NotRoot(String),
    #[error(
        "コマンド`{program}`が見つかりません。`sudo apt-get install {package}`でインストールしてください。"
    )]
    MissingTool {
        program: &'static str,
        package: &'static str,
    },
    #[error("`{command}`が失敗しました（{status}）。ログ{log}を確認してください。")]
    CommandFailed {
        command: String,
        status: String,
        log: String,
    },
    #[error(
        "ラボマシンが{seconds}秒以内に起動しませんでした（最後の状態: {state}）。ログ{log}を確認し、`scripts/lab-machine.sh down`で止めてください。"
    )]
    BootTimeout {
        seconds: u64,
        state: String,
        log: String,
    },
    #[error("ラボマシンは起動していません。`scripts/lab-machine.sh up`で起動してください。")]
    NotRunning,
    #[error("{path}を操作できませんでした: {source}")]
    Io { path: String, source: io::Error },
}

fn io_error(path: &Path) -> impl FnOnce(io::Error) -> MachineError + '_ {
    move |source| MachineError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// 起動中のラボマシン。
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Running {
    /// `systemd-nspawn`のプロセスID (pidfileの中身)。
    pub nspawn_pid: u32,
    /// コンテナのPID 1 (systemd)のホスト側のプロセスID。
    pub leader_pid: u32,
}

impl Running {
    /// コンテナのルートをホストから見たパス。
    pub fn root(&self) -> PathBuf {
        PathBuf::from(format!("/proc/{}/root", self.leader_pid))
    }

    /// コンテナのシステムバスのアドレス。ホストからそのまま接続できます。
    pub fn bus_address(&self) -> String {
        format!(
            "unix:path=/proc/{}/root/run/dbus/system_bus_socket",
            self.leader_pid
        )
    }

    /// コンテナの中でコマンドを実行する`Command`を作ります（nsenterですべての名前空間に入ります）。
    pub fn command(&self, program: &str) -> Command {
        let mut command = Command::new("nsenter");
        command.args([
            "--target",
            &self.leader_pid.to_string(),
            "--all",
            "--",
            program,
        ]);
        command
    }
}

fn cache_path(name: &str) -> PathBuf {
    Path::new(CACHE_DIR).join(name)
}

/// rootfsの場所。
pub fn rootfs() -> PathBuf {
    cache_path("rootfs")
}

fn pidfile() -> PathBuf {
    cache_path("nspawn.pid")
}

fn logfile() -> PathBuf {
    cache_path("nspawn.log")
}

/// rootでなければ、実行し直すコマンドを添えたエラーを返します。
pub fn require_root(command: &str) -> Result<(), MachineError> {
    // SAFETY: geteuidは引数を取らず、失敗しません。
    if unsafe { libc::geteuid() } != 0 {
        return Err(MachineError::NotRoot(command.to_owned()));
    }
    Ok(())
}

mod lifecycle;
pub use lifecycle::{down, status, up};

/// lab-1のコマンドが操作するsystemd: ラボマシンか、ホスト自身か。
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Machine(Running),
    /// `--host-bus`: 参加者のLinuxマシンのsystemdを直接使います。
    /// NOTE: テストはラボマシンでだけ実行していて、この経路は自動では確かめていません。
    Host,
}

impl Target {
    /// `host_bus`ならホストを、そうでなければ起動中のラボマシンを選びます。
    /// `command`は、rootでないときにsudoで実行し直すよう案内するコマンドです。
    pub fn select(host_bus: bool, command: &str) -> Result<Self, MachineError> {
        if host_bus {
            eprintln!(
                "警告: ホストのシステムバスを使います。アタッチしたユニットはこのマシンのsystemdで動きます。"
            );
            return Ok(Self::Host);
        }
        require_root(command)?;
        match status()? {
            Some((running, _)) => Ok(Self::Machine(running)),
            None => Err(MachineError::NotRunning),
        }
    }

    /// 操作するsystemdから見たルートの、ホスト側のパス。
    pub fn root(&self) -> PathBuf {
        match self {
            Self::Machine(running) => running.root(),
            Self::Host => PathBuf::from("/"),
        }
    }

    pub fn bus_address(&self) -> String {
        match self {
            Self::Machine(running) => running.bus_address(),
            Self::Host => "unix:path=/run/dbus/system_bus_socket".to_owned(),
        }
    }

    /// 操作するsystemdと同じ場所でコマンドを実行する`Command`。
    pub fn command(&self, program: &str) -> Command {
        match self {
            Self::Machine(running) => running.command(program),
            Self::Host => Command::new(program),
        }
    }
}

/// ラボマシンのhelloのユニットを使う操作（テスト、upgrade-demo）を、プロセスをまたいで1つずつにするロック。
/// 戻り値の`File`を持っている間だけ有効です（閉じるとロックも外れます）。
pub fn lock_exclusive() -> Result<fs::File, MachineError> {
    let path = cache_path("lab.lock");
    fs::create_dir_all(CACHE_DIR).map_err(io_error(Path::new(CACHE_DIR)))?;
    let file = fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(io_error(&path))?;

    // SAFETY: flockは開いたディスクリプタにロックを掛けるだけで、fileはこの関数の中で有効です。
    if unsafe { libc::flock(std::os::fd::AsRawFd::as_raw_fd(&file), libc::LOCK_EX) } != 0 {
        return Err(io_error(&path)(io::Error::last_os_error()));
    }
    Ok(file)
}

// ANCHOR: session
/// ラボマシンを使う間の見張り。起動済みならそれを使い、自分で起動したときだけDropで止めます。
/// テストが失敗してもDropは走るので、自分で起動したマシンが残りません。
pub struct Session {
    pub running: Running,
    booted: bool,
}

impl Session {
    pub fn start() -> Result<Self, MachineError> {
        let (running, booted) = up()?;
        Ok(Self { running, booted })
    }

    /// この見張りが起動したマシンか（Dropで止めるか）。
    pub fn booted(&self) -> bool {
        self.booted
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        if self.booted
            && let Err(error) = down()
        {
            eprintln!("ラボマシンを止められませんでした: {error}");
        }
    }
}
// ANCHOR_END: session

static TEST_SESSION: std::sync::OnceLock<Session> = std::sync::OnceLock::new();
static TEST_EXCLUSIVE: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// テストのプロセスが終わるとき（失敗して終わるときも）、[`test_machine`]が起動したラボマシンを止めます。
extern "C" fn stop_test_machine_at_exit() {
    if TEST_SESSION.get().is_some_and(Session::booted) {
        let _ = down();
    }
}

/// テスト用: 起動中のラボマシンを返します。止まっていれば起動し、テストのプロセスの終わりに止めます。
/// ラボマシンを使うテストは同時に走らないよう、戻り値のロックを持っている間だけ使います。
/// rootでなければ、`command`（例: `cargo test -p lab-1`）をsudoで実行し直すよう案内してpanicします。
pub fn test_machine(command: &str) -> (Running, (std::sync::MutexGuard<'static, ()>, fs::File)) {
    let guard = TEST_EXCLUSIVE
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Err(error) = require_root(command) {
        panic!("このテストは本物のsystemd（ラボマシン）を使います。{error}");
    }
    let session = TEST_SESSION.get_or_init(|| {
        let session =
            Session::start().unwrap_or_else(|error| panic!("ラボマシンを起動できません: {error}"));
        // SAFETY: 登録する関数は引数を取らず、プロセスの終わりに1回だけ呼ばれます。
        unsafe { libc::atexit(stop_test_machine_at_exit) };
        session
    });
    // upgrade-demoなど、別のプロセスが同じユニットを使っている間は待ちます。
    let file_lock = lock_exclusive().unwrap_or_else(|error| panic!("{error}"));
    (session.running, (guard, file_lock))
}
