//! ラボマシンの起動、停止、状態の確認。どれも何度呼んでも同じ結果になります。

use super::*;

// ANCHOR: up
/// ラボマシンを起動して、systemdが起動を終えるまで待ちます。起動済みなら何もしません。
/// 戻り値の`bool`は、この呼び出しで起動したときに`true`です。
pub fn up() -> Result<(Running, bool), MachineError> {
    require_root("scripts/lab-machine.sh up")?;
    if let Some(running) = find_running()? {
        return Ok((running, false));
    }

    // rootfsがなければdebootstrapで作ります（初回だけ、数分かかります）。
    ensure_rootfs()?;

    // 起動後に作ったループデバイスはコンテナから見えないので、先に作ってすべて渡します。
    let loop_binds = ensure_loop_devices()?;
    let nspawn_pid = spawn_nspawn(&loop_binds)?;
    fs::write(pidfile(), format!("{nspawn_pid}\n")).map_err(io_error(&pidfile()))?;

    // PID 1を見つけ、`systemctl is-system-running`がrunningかdegradedになるまで待ちます。
    let running = wait_for_boot(nspawn_pid)?;
    Ok((running, true))
}
// ANCHOR_END: up

/// ラボマシンを止めます。止まっていれば何もしません。戻り値は止めたときに`true`です。
pub fn down() -> Result<bool, MachineError> {
    require_root("scripts/lab-machine.sh down")?;
    let Some(pid) = read_pidfile() else {
        return Ok(false);
    };
    if !is_nspawn(pid) {
        let _ = fs::remove_file(pidfile());
        return Ok(false);
    }

    // systemd-nspawnはSIGTERMを受けるとコンテナのsystemdに電源断を頼み、終わるのを待ちます。
    signal(pid, libc::SIGTERM);
    let deadline = Instant::now() + STOP_TIMEOUT;
    while is_alive(pid) && Instant::now() < deadline {
        thread::sleep(Duration::from_millis(200));
    }
    if is_alive(pid) {
        eprintln!(
            "ラボマシンが{}秒で止まらないのでSIGKILLを送ります。",
            STOP_TIMEOUT.as_secs()
        );
        signal(pid, libc::SIGKILL);
        thread::sleep(Duration::from_millis(500));
    }
    let _ = fs::remove_file(pidfile());
    Ok(true)
}

/// 起動中ならその情報と`systemctl is-system-running`の出力を返します。
pub fn status() -> Result<Option<(Running, String)>, MachineError> {
    let Some(running) = find_running()? else {
        return Ok(None);
    };
    Ok(Some((running, system_state(&running))))
}

/// pidfileのsystemd-nspawnが生きていれば、そのPID 1と合わせて返します。
fn find_running() -> Result<Option<Running>, MachineError> {
    let Some(nspawn_pid) = read_pidfile().filter(|pid| is_nspawn(*pid)) else {
        return Ok(None);
    };
    Ok(find_leader(nspawn_pid).map(|leader_pid| Running {
        nspawn_pid,
        leader_pid,
    }))
}

fn ensure_rootfs() -> Result<(), MachineError> {
    let rootfs = rootfs();
    if rootfs.join("usr/lib/systemd/systemd-portabled").exists() {
        return Ok(());
    }
    let debootstrap = require_tool("debootstrap", "debootstrap")?;
    fs::create_dir_all(CACHE_DIR).map_err(io_error(Path::new(CACHE_DIR)))?;

    // 途中で止まっても壊れたrootfsを使わないよう、別名で作ってから名前を変えます。
    let partial = cache_path("rootfs.partial");
    if partial.exists() {
        fs::remove_dir_all(&partial).map_err(io_error(&partial))?;
    }
    eprintln!(
        "ラボマシンのrootfsをdebootstrapで{}に作ります。",
        rootfs.display()
    );
    let mut command = Command::new(debootstrap);
    command.args([
        "--variant=minbase",
        "--include=systemd,systemd-container,dbus",
        "bookworm",
    ]);
    command.arg(&partial);
    run_logged(command, &cache_path("debootstrap.log"))?;
    fs::rename(&partial, &rootfs).map_err(io_error(&rootfs))
}

fn ensure_loop_devices() -> Result<Vec<String>, MachineError> {
    let mut binds = vec!["--bind=/dev/loop-control".to_owned()];
    for index in 0..LOOP_DEVICES {
        let path = PathBuf::from(format!("/dev/loop{index}"));
        if !path.exists() {
            let c_path = std::ffi::CString::new(path.as_os_str().as_encoded_bytes())
                .expect("パスにNULはありません");
            // SAFETY: c_pathはNUL終端の文字列で、mknodは読むだけです。ループデバイスのメジャー番号は7です。
            let result = unsafe {
                libc::mknod(
                    c_path.as_ptr(),
                    libc::S_IFBLK | 0o660,
                    libc::makedev(7, index),
                )
            };
            if result != 0 {
                return Err(io_error(&path)(io::Error::last_os_error()));
            }
        }
        binds.push(format!("--bind={}", path.display()));
    }
    Ok(binds)
}

fn spawn_nspawn(loop_binds: &[String]) -> Result<u32, MachineError> {
    let nspawn = require_tool("systemd-nspawn", "systemd-container")?;
    let log = fs::File::create(logfile()).map_err(io_error(&logfile()))?;
    let log_err = log.try_clone().map_err(io_error(&logfile()))?;

    // 端末のCtrl-Cで一緒に止まらないよう、別のプロセスグループで起動します。
    let mut command = Command::new(nspawn);
    command.args([
        "--boot",
        "--register=no",
        "--keep-unit",
        "--console=passive",
        "--quiet",
    ]);
    command.arg("-D").arg(rootfs()).args(loop_binds);
    std::os::unix::process::CommandExt::process_group(&mut command, 0);
    let child = command
        .stdin(Stdio::null())
        .stdout(log)
        .stderr(log_err)
        .spawn();
    let child = child.map_err(|source| MachineError::Io {
        path: "systemd-nspawn".into(),
        source,
    })?;
    Ok(child.id())
}

fn wait_for_boot(nspawn_pid: u32) -> Result<Running, MachineError> {
    let deadline = Instant::now() + BOOT_TIMEOUT;
    let mut state = "PID 1を待っています".to_owned();
    while Instant::now() < deadline && is_alive(nspawn_pid) {
        if let Some(leader_pid) = find_leader(nspawn_pid) {
            let running = Running {
                nspawn_pid,
                leader_pid,
            };
            state = system_state(&running);
            if state == "running" {
                return Ok(running);
            }
            if state == "degraded" {
                report_failed_units(&running);
                return Ok(running);
            }
        }
        thread::sleep(Duration::from_millis(500));
    }
    let log = logfile().display().to_string();
    Err(MachineError::BootTimeout {
        seconds: BOOT_TIMEOUT.as_secs(),
        state,
        log,
    })
}

/// degraded（一部のユニットが失敗）のとき、失敗したユニットを表示します。ラボには使えるので起動は続けます。
fn report_failed_units(running: &Running) {
    let output = running
        .command("systemctl")
        .args([
            "list-units",
            "--failed",
            "--plain",
            "--no-legend",
            "--no-pager",
        ])
        .output();
    let failed = output
        .map(|output| String::from_utf8_lossy(&output.stdout).into_owned())
        .unwrap_or_default();
    eprintln!(
        "ラボマシンはdegradedで起動しました。失敗したユニット:\n{}",
        failed.trim_end()
    );
}

/// コンテナの中の`systemctl is-system-running`の出力（バスがまだなければofflineなど）。
pub(super) fn system_state(running: &Running) -> String {
    let output = running
        .command("systemctl")
        .arg("is-system-running")
        .stderr(Stdio::null())
        .output();
    match output {
        Ok(output) => String::from_utf8_lossy(&output.stdout).trim().to_owned(),
        Err(error) => format!("不明（{error}）"),
    }
}

/// systemd-nspawnの子のうち、コンテナのPID 1になったプロセスを探します。
fn find_leader(nspawn_pid: u32) -> Option<u32> {
    let children =
        fs::read_to_string(format!("/proc/{nspawn_pid}/task/{nspawn_pid}/children")).ok()?;
    children
        .split_whitespace()
        .filter_map(|pid| pid.parse().ok())
        .find(|pid: &u32| {
            let comm = fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
            comm.trim() == "systemd"
        })
}

fn read_pidfile() -> Option<u32> {
    fs::read_to_string(pidfile()).ok()?.trim().parse().ok()
}

fn is_nspawn(pid: u32) -> bool {
    let comm = fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
    comm.trim() == "systemd-nspawn" && is_alive(pid)
}

/// ゾンビ（終了済みで回収待ち）は生きていないものとして扱います。
fn is_alive(pid: u32) -> bool {
    match fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => !stat
            .rsplit_once(')')
            .is_some_and(|(_, rest)| rest.trim_start().starts_with('Z')),
        Err(_) => false,
    }
}

fn signal(pid: u32, signal: libc::c_int) {
    // SAFETY: killはプロセスにシグナルを送るだけです。pidはpidfileのsystemd-nspawnと確かめ済みです。
    unsafe { libc::kill(pid as libc::pid_t, signal) };
}

/// `PATH`とsbinからプログラムを探します。`sudo`で`PATH`が変わっても見つかるようsbinも見ます。
fn require_tool(program: &'static str, package: &'static str) -> Result<PathBuf, MachineError> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let sbin = [PathBuf::from("/usr/sbin"), PathBuf::from("/sbin")];
    let mut dirs = std::env::split_paths(&path).chain(sbin);
    let found = dirs.find(|dir| dir.join(program).is_file());
    found
        .map(|dir| dir.join(program))
        .ok_or(MachineError::MissingTool { program, package })
}

fn run_logged(mut command: Command, log: &Path) -> Result<(), MachineError> {
    let file = fs::File::create(log).map_err(io_error(log))?;
    let file_err = file.try_clone().map_err(io_error(log))?;
    let status = command.stdout(file).stderr(file_err).status();
    let status = status.map_err(|source| MachineError::Io {
        path: format!("{command:?}"),
        source,
    })?;
    if !status.success() {
        let command = format!("{command:?}");
        return Err(MachineError::CommandFailed {
            command,
            status: status.to_string(),
            log: log.display().to_string(),
        });
    }
    Ok(())
}
