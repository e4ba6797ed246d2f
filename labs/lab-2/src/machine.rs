//! 計測したマシンの説明（CPU、コア数、カーネル、ファイルシステム、日時）です。

/// 生成する表の頭に付ける箇条書きを作ります。
pub fn describe() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|text| {
            text.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|s| s.trim().to_string())
        })
        .unwrap_or_else(|| std::env::consts::ARCH.to_string());
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease")
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|_| std::env::consts::OS.to_string());
    // `stat -f`はext2、ext3、ext4をどれも"ext2/ext3"と表示するので、マウントの表から読みます。
    let filesystem = std::process::Command::new("findmnt")
        .args(["-n", "-o", "FSTYPE", "-T", "."])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .ok()
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| "不明".into());
    let now = jiff::Zoned::now()
        .strftime("%Y-%m-%d %H:%M:%S %:z")
        .to_string();
    format!(
        "- CPU: {cpu}（{cores}コア）\n- カーネル: {kernel}\n- ファイルシステム: {filesystem}（カレントディレクトリ）\n- 計測日時: {now}\n- wasmtime: {}",
        wasmtime_version()
    )
}

/// 組み込んだwasmtimeの版です（Cargo.lockで決まります）。
fn wasmtime_version() -> &'static str {
    env!("WASMTIME_VERSION")
}
