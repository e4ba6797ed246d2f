//! このマシンの負荷・メモリ・CPU を `/proc` から読み、サンプルにします。ラボの本物の入力です。
//!
//! メトリクス名は Prometheus の node_exporter に似せています。

use std::path::{Path, PathBuf};

use crate::sample::Sample;

/// `/proc` を読めなかった理由です。
#[derive(Debug, thiserror::Error)]
pub enum CollectError {
    #[error(
        "`{path}` を読めません。collect は Linux の /proc が必要です。Linux で実行するか、import でファイルから取り込んでください。（{cause}）",
        path = path.display()
    )]
    Read {
        path: PathBuf,
        cause: std::io::Error,
    },

    #[error("`{path}` の形式が想定と違います: {detail}", path = path.display())]
    Format { path: PathBuf, detail: String },
}

/// `/proc/stat` の先頭行 `cpu` の累積 jiffies です。
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CpuTimes {
    pub busy: u64,
    pub total: u64,
}

/// `/proc` を読む収集器です。CPU 使用率は前回の読み取りとの差分で出します。
pub struct Collector {
    proc_root: PathBuf,
    previous_cpu: Option<CpuTimes>,
}

impl Collector {
    /// `/proc` を読む収集器を作ります。
    pub fn new() -> Collector {
        Collector::with_root("/proc")
    }

    /// 別のディレクトリを `/proc` として読む収集器を作ります (テスト用)。
    pub fn with_root(proc_root: impl Into<PathBuf>) -> Collector {
        Collector {
            proc_root: proc_root.into(),
            previous_cpu: None,
        }
    }

    // ANCHOR: sample
    /// 時刻 `timestamp_ms` のサンプルを 1 組読みます。CPU 使用率は 2 回目から含まれます。
    pub fn sample(&mut self, timestamp_ms: i64) -> Result<Vec<Sample>, CollectError> {
        let mut samples = Vec::new();

        // 1 分・5 分・15 分のロードアベレージです。
        let loadavg = self.read("loadavg")?;
        let fields: Vec<&str> = loadavg.split_whitespace().collect();
        for (name, field) in ["node_load1", "node_load5", "node_load15"]
            .iter()
            .zip(&fields)
        {
            samples.push(Sample::new(
                *name,
                timestamp_ms,
                self.number("loadavg", field)?,
            ));
        }

        // メモリは kB で書かれているので、バイトに直します。
        let meminfo = self.read("meminfo")?;
        for (key, name) in [
            ("MemTotal:", "node_memory_MemTotal_bytes"),
            ("MemAvailable:", "node_memory_MemAvailable_bytes"),
        ] {
            let kib = meminfo
                .lines()
                .find_map(|line| line.strip_prefix(key))
                .and_then(|rest| rest.split_whitespace().next())
                .ok_or_else(|| self.format_error("meminfo", format!("{key} の行がありません")))?;
            samples.push(Sample::new(
                name,
                timestamp_ms,
                self.number("meminfo", kib)? * 1024.0,
            ));
        }

        // CPU 使用率 (0〜1) は、前回からの busy の増分 ÷ 全体の増分です。
        let cpu = self.cpu_times()?;
        if let Some(previous) = self.previous_cpu.replace(cpu)
            && cpu.total > previous.total
        {
            let ratio = (cpu.busy - previous.busy) as f64 / (cpu.total - previous.total) as f64;
            samples.push(Sample::new("node_cpu_busy_ratio", timestamp_ms, ratio));
        }
        Ok(samples)
    }
    // ANCHOR_END: sample

    /// `/proc/stat` の `cpu` 行を読みます。idle と iowait 以外を busy として数えます。
    pub fn cpu_times(&self) -> Result<CpuTimes, CollectError> {
        let stat = self.read("stat")?;
        let line = stat
            .lines()
            .find(|line| line.starts_with("cpu "))
            .ok_or_else(|| self.format_error("stat", "`cpu ` の行がありません".to_string()))?;
        let values: Vec<u64> = line
            .split_whitespace()
            .skip(1)
            .map(|v| v.parse().unwrap_or(0))
            .collect();
        let total: u64 = values.iter().take(8).sum();
        let idle = values.get(3).copied().unwrap_or(0) + values.get(4).copied().unwrap_or(0);
        Ok(CpuTimes {
            busy: total.saturating_sub(idle),
            total,
        })
    }

    fn read(&self, name: &str) -> Result<String, CollectError> {
        let path = self.proc_root.join(name);
        std::fs::read_to_string(&path).map_err(|cause| CollectError::Read { path, cause })
    }

    fn number(&self, name: &str, text: &str) -> Result<f64, CollectError> {
        text.parse()
            .map_err(|_| self.format_error(name, format!("`{text}` は数ではありません")))
    }

    fn format_error(&self, name: &str, detail: String) -> CollectError {
        CollectError::Format {
            path: Path::new(&self.proc_root).join(name),
            detail,
        }
    }
}

impl Default for Collector {
    fn default() -> Self {
        Collector::new()
    }
}
