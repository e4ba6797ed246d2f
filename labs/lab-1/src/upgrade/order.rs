//! (b) `portablectl reattach --now`が`hello.socket`と`hello.service`を再起動した順を、PID 1のログから調べます。
//!
//! systemd 252のportablectlは、変更のあったユニットにハッシュ表の順でRestartUnitを送るので、順は実行ごとに変わります。
//! - ソケットが先: v1がまだ動いているので、ソケットの起動は「already active, refusing」で拒まれます。
//!   続いて起動したv2はソケットを受け取れず自分でbindするので、(c)と同じくポートを誰も持たない時間ができます。
//! - サービスが先で、ソケットの再起動が重なったとき: systemdはサービスの停止、ソケットの再起動、サービスの起動の順に進めます。
//!   ソケットを閉じて開き直す短い間の接続だけが失敗します。
//! - サービスが先で、その再起動が終わってからソケットを再起動したとき: v2は古いリスニングソケットを受け取り、
//!   ソケットの起動は拒まれます。v2がソケットを持ち続けるので接続は失われませんが、`hello.socket`は止まったまま残ります。

use std::thread;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::Serialize;

use crate::machine::Target;

/// (b)の再起動の順と、ソケットユニットの起動が拒まれたか。
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RestartOrder {
    /// `hello.socket`が`hello.service`より先に止まったか。
    pub socket_first: bool,
    /// PID 1が「Socket service hello.service already active, refusing」を記録したか。
    pub socket_refused: bool,
}

impl RestartOrder {
    pub fn label(self) -> &'static str {
        match (self.socket_first, self.socket_refused) {
            (true, true) => "ソケットが先（ソケットの起動は拒否）",
            (true, false) => "ソケットが先",
            (false, true) => "サービスが先（ソケットの起動は拒否）",
            (false, false) => "サービスが先",
        }
    }

    /// PID 1のログの行（`journalctl -o cat`）から順を読み取ります。どちらのユニットも現れなければ`None`です。
    pub fn from_log(lines: &[&str]) -> Option<Self> {
        let refusal = "already active, refusing";
        let first_socket = lines.iter().position(|line| line.contains("hello.socket"));
        let first_service = lines
            .iter()
            .position(|line| line.contains("hello.service") && !line.contains(refusal));
        let socket_first = match (first_socket, first_service) {
            (Some(socket), Some(service)) => socket < service,
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (None, None) => return None,
        };
        Some(Self {
            socket_first,
            socket_refused: lines.iter().any(|line| line.contains(refusal)),
        })
    }
}

/// `since`からあとのPID 1のログを読み、順を返します。ログが届くのを最大2秒待ちます。
pub fn read_restart_order(target: &Target, since: SystemTime) -> Option<RestartOrder> {
    let since = since.duration_since(UNIX_EPOCH).ok()?;
    let since = format!("@{}.{:06}", since.as_secs(), since.subsec_micros());
    let mut order = None;
    for _ in 0..20 {
        let output = target
            .command("journalctl")
            .args(["_PID=1", "--no-pager", "--output", "cat", "--since", &since])
            .output()
            .ok()?;
        let text = String::from_utf8_lossy(&output.stdout);
        let lines: Vec<&str> = text.lines().collect();
        order = RestartOrder::from_log(&lines);
        // 両方のユニットの行がそろえば、順は決まっています。
        let both = lines.iter().any(|line| line.contains("hello.socket"))
            && lines
                .iter()
                .any(|line| line.contains("Started hello.service"));
        if both {
            break;
        }
        thread::sleep(Duration::from_millis(100));
    }
    order
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn socket_first_refused() {
        let log = [
            "hello.socket: Deactivated successfully.",
            "Closed hello.socket - hello-svcのリスニングソケット.",
            "hello.socket: Socket service hello.service already active, refusing.",
            "Stopping hello.service - hello-svc 2...",
        ];
        let order = RestartOrder::from_log(&log).unwrap();
        assert_eq!(order.label(), "ソケットが先（ソケットの起動は拒否）");
    }

    #[test]
    fn service_first_overlapping() {
        let log = [
            "Stopping hello.service - hello-svc 2...",
            "hello.socket: Deactivated successfully.",
            "Listening on hello.socket - hello-svcのリスニングソケット.",
            "Started hello.service - hello-svc 2.",
        ];
        let order = RestartOrder::from_log(&log).unwrap();
        assert_eq!(order.label(), "サービスが先");
    }
}
