//! ソケットアクティベーション: systemdが開いたリスニングソケットを受け取ります。
//!
//! プロトコルは環境変数3つだけです。`LISTEN_PID`が自分のPIDのとき、
//! `LISTEN_FDS`個のディスクリプタが3番から順に渡されていて、
//! `LISTEN_FDNAMES`がそれぞれの名前を`:`区切りで持ちます。

use std::io;
use std::net::{SocketAddr, TcpListener};
use std::os::fd::{FromRawFd, RawFd};

/// systemdが渡す最初のディスクリプタ番号（`SD_LISTEN_FDS_START`）。
pub const SD_LISTEN_FDS_START: RawFd = 3;

/// 渡されたディスクリプタ1つ。
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListenFd {
    pub fd: RawFd,
    /// `FileDescriptorName=`の値。指定がなければsystemdはソケットユニット名を入れます。
    pub name: String,
}

/// 環境変数の値が壊れているときのエラー。
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ActivationError {
    #[error(
        "環境変数{name}の値`{value}`は数値ではありません。ソケットユニットの設定を確認してください。"
    )]
    NotANumber { name: &'static str, value: String },
    #[error(
        "LISTEN_FDNAMESの名前の数（{names}）がLISTEN_FDS（{fds}）と一致しません。FileDescriptorName=を確認してください。"
    )]
    NameCountMismatch { names: usize, fds: usize },
}

// ANCHOR: parse
/// 3つの環境変数の値から、自分宛てのディスクリプタの一覧を作ります。
/// `LISTEN_PID`が別のプロセスを指すときは、親から受け継いだだけなので空を返します。
pub fn parse_listen_fds(
    listen_pid: Option<&str>,
    listen_fds: Option<&str>,
    listen_fdnames: Option<&str>,
    my_pid: u32,
) -> Result<Vec<ListenFd>, ActivationError> {
    let (Some(pid), Some(count)) = (listen_pid, listen_fds) else {
        return Ok(Vec::new());
    };

    // 自分宛てかどうかを先に確かめます。
    let pid: u32 = parse_number("LISTEN_PID", pid)?;
    if pid != my_pid {
        return Ok(Vec::new());
    }
    let count: usize = parse_number("LISTEN_FDS", count)?;

    // 名前がなければsystemdと同じく"unknown"を当てます。
    let names: Vec<String> = match listen_fdnames {
        Some(names) => names.split(':').map(str::to_owned).collect(),
        None => vec!["unknown".to_owned(); count],
    };
    if names.len() != count {
        return Err(ActivationError::NameCountMismatch {
            names: names.len(),
            fds: count,
        });
    }

    let fds = (SD_LISTEN_FDS_START..).zip(names);
    Ok(fds.map(|(fd, name)| ListenFd { fd, name }).collect())
}
// ANCHOR_END: parse

fn parse_number<T: std::str::FromStr>(
    name: &'static str,
    value: &str,
) -> Result<T, ActivationError> {
    value.parse().map_err(|_| ActivationError::NotANumber {
        name,
        value: value.to_owned(),
    })
}

/// 待ち受けソケットの出どころ。
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListenerSource {
    /// systemdから受け取りました（ディスクリプタ名つき）。
    Activated(String),
    /// 自分でbindしました。
    Bound(SocketAddr),
}

// ANCHOR: take_listener
/// systemdから受け取ったソケットを使い、なければ`fallback`に自分でbindします。
pub fn take_listener(fallback: SocketAddr) -> io::Result<(TcpListener, ListenerSource)> {
    let env = |name| std::env::var(name).ok();
    let fds = parse_listen_fds(
        env("LISTEN_PID").as_deref(),
        env("LISTEN_FDS").as_deref(),
        env("LISTEN_FDNAMES").as_deref(),
        std::process::id(),
    )
    .map_err(io::Error::other)?;

    // 子プロセスに同じソケットを渡さないよう、受け取った時点で閉じる印を付けます。
    for fd in &fds {
        set_cloexec(fd.fd)?;
    }

    match fds.into_iter().next() {
        Some(first) => {
            require_socket(first.fd)?;
            // SAFETY: systemdが渡したfd 3は開いたソケットで、ほかに所有者はいません。
            let listener = unsafe { TcpListener::from_raw_fd(first.fd) };
            Ok((listener, ListenerSource::Activated(first.name)))
        }
        None => Ok((
            TcpListener::bind(fallback)?,
            ListenerSource::Bound(fallback),
        )),
    }
}
// ANCHOR_END: take_listener

fn set_cloexec(fd: RawFd) -> io::Result<()> {
    // SAFETY: fcntlはディスクリプタの印を変えるだけで、メモリには触れません。
    let flags = unsafe { libc::fcntl(fd, libc::F_GETFD) };
    if flags < 0 || unsafe { libc::fcntl(fd, libc::F_SETFD, flags | libc::FD_CLOEXEC) } < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

fn require_socket(fd: RawFd) -> io::Result<()> {
    // SAFETY: stat構造体はゼロ初期化が有効な値で、fstatが書き込むだけです。
    let mut stat: libc::stat = unsafe { std::mem::zeroed() };
    if unsafe { libc::fstat(fd, &mut stat) } < 0 {
        return Err(io::Error::last_os_error());
    }
    if stat.st_mode & libc::S_IFMT != libc::S_IFSOCK {
        let message = format!(
            "fd {fd}はソケットではありません。ソケットユニットのListenStream= を確認してください。"
        );
        return Err(io::Error::other(message));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_other_pid_is_empty() {
        let fds = parse_listen_fds(Some("1"), Some("1"), None, 42).unwrap();
        assert_eq!(fds, Vec::new());
    }

    #[test]
    fn parse_names_follow_fds() {
        let fds = parse_listen_fds(Some("42"), Some("2"), Some("http:admin"), 42).unwrap();
        let expected = vec![
            ListenFd {
                fd: 3,
                name: "http".into(),
            },
            ListenFd {
                fd: 4,
                name: "admin".into(),
            },
        ];
        assert_eq!(fds, expected);
    }

    #[test]
    fn parse_missing_names_are_unknown() {
        let fds = parse_listen_fds(Some("42"), Some("1"), None, 42).unwrap();
        assert_eq!(fds[0].name, "unknown");
    }

    #[test]
    fn parse_name_count_mismatch() {
        let error = parse_listen_fds(Some("42"), Some("2"), Some("http"), 42).unwrap_err();
        assert_eq!(
            error,
            ActivationError::NameCountMismatch { names: 1, fds: 2 }
        );
    }

    #[test]
    fn parse_bad_number() {
        let error = parse_listen_fds(Some("x"), Some("1"), None, 42).unwrap_err();
        assert!(matches!(
            error,
            ActivationError::NotANumber {
                name: "LISTEN_PID",
                ..
            }
        ));
    }
}
