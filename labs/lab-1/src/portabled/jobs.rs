//! systemdのジョブの終わりを待ちます。JobRemovedシグナルを専用スレッドで受け、結果を表に残します。

use std::collections::HashMap;
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use super::proxies::SystemdManagerProxy;

/// 終わったジョブのパスと結果（`done`など）。
#[derive(Clone, Default)]
pub struct JobWatcher {
    finished: Arc<(Mutex<HashMap<String, String>>, Condvar)>,
}

impl JobWatcher {
    /// シグナルの受信を始めます。ジョブを出す前に呼ぶと、すぐ終わるジョブも取りこぼしません。
    pub fn start(manager: &SystemdManagerProxy<'static>) -> zbus::Result<Self> {
        let watcher = Self::default();
        let signals = manager.receive_job_removed()?;
        let finished = watcher.finished.clone();
        std::thread::spawn(move || {
            for signal in signals {
                let Ok(args) = signal.args() else { continue };
                let (table, changed) = &*finished;
                let mut table = table
                    .lock()
                    .unwrap_or_else(|poisoned| poisoned.into_inner());
                table.insert(args.job.to_string(), args.result.clone());
                changed.notify_all();
            }
        });
        Ok(watcher)
    }

    /// `job`が終わるまで最大`timeout`待ち、結果を返します。時間切れなら`None`です。
    pub fn wait(&self, job: &str, timeout: Duration) -> Option<String> {
        let deadline = Instant::now() + timeout;
        let (table, changed) = &*self.finished;
        let mut table = table
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        loop {
            if let Some(result) = table.remove(job) {
                return Some(result);
            }
            let left = deadline.checked_duration_since(Instant::now())?;
            table = changed
                .wait_timeout(table, left)
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .0;
        }
    }
}
