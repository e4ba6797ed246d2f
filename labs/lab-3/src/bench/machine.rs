//! 計測したマシンの情報です: CPU、コア数、カーネル、ファイルシステム、日時。

use std::path::Path;

/// 表の上に書くマシンの情報です。
#[derive(Debug, Clone, PartialEq)]
pub struct Machine {
    pub cpu: String,
    pub cores: usize,
    pub kernel: String,
    /// ベンチマークのディレクトリがあるファイルシステムの種類とマウントポイントです。
    pub filesystem: String,
    pub sqlite_version: String,
    /// 計測を始めたときの 1 分間のロードアベレージです。他の処理が動いていると大きくなり、結果がぶれます。
    pub load_average: String,
    pub date: String,
}

impl Machine {
    /// `/proc` から今のマシンの情報を読みます。読めない項目は「不明」にします。
    pub fn detect(bench_dir: &Path) -> Machine {
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let cpu = cpuinfo
            .lines()
            .find_map(|line| line.strip_prefix("model name"))
            .and_then(|rest| rest.split_once(':'))
            .map_or("不明".to_string(), |(_, model)| model.trim().to_string());
        let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease")
            .map_or("不明".to_string(), |s| s.trim().to_string());
        Machine {
            cpu,
            cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
            kernel,
            filesystem: filesystem_of(bench_dir),
            sqlite_version: rusqlite::version().to_string(),
            load_average: std::fs::read_to_string("/proc/loadavg")
                .ok()
                .and_then(|text| text.split_whitespace().next().map(str::to_string))
                .unwrap_or_else(|| "不明".to_string()),
            date: jiff::Zoned::now()
                .strftime("%Y-%m-%d %H:%M %:z")
                .to_string(),
        }
    }
}

/// `/proc/self/mountinfo` で、`dir` を含む最も長いマウントポイントの種類を探します。
pub fn filesystem_of(dir: &Path) -> String {
    let dir = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    let mountinfo = std::fs::read_to_string("/proc/self/mountinfo").unwrap_or_default();

    // 各行は「… マウントポイント … - 種類 デバイス …」の形です。
    let mut best: Option<(usize, String)> = None;
    for line in mountinfo.lines() {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let Some(mount_point) = fields.get(4) else {
            continue;
        };
        let Some(dash) = fields.iter().position(|f| *f == "-") else {
            continue;
        };
        let fstype = fields.get(dash + 1).copied().unwrap_or("不明");
        if dir.starts_with(mount_point)
            && best
                .as_ref()
                .is_none_or(|(len, _)| mount_point.len() >= *len)
        {
            best = Some((mount_point.len(), format!("{fstype} ({mount_point})")));
        }
    }
    best.map_or("不明".to_string(), |(_, fs)| fs)
}
