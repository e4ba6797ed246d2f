//! hello-svcの中身: `GET /health`に版を返す小さなHTTPサーバーです。
//!
//! 停止の合図（SIGTERM）を受けると新しい接続の受け付けをやめ、
//! 受け付け済みのリクエストに答え終えてから戻ります。

use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::fd::AsRawFd;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::Duration;

/// 1リクエストの読み書きの上限時間。
const IO_TIMEOUT: Duration = Duration::from_secs(5);
/// 停止の合図を確かめる間隔（ミリ秒）。
const POLL_INTERVAL_MS: i32 = 100;

// ANCHOR: serve
/// `shutdown`が立つまで接続を受け付け、1接続を1スレッドで処理します。
/// 戻る前に、受け付け済みの接続をすべて処理し終えます。戻り値は処理した接続の数です。
pub fn serve(listener: &TcpListener, version: &str, shutdown: &AtomicBool) -> io::Result<u64> {
    let mut workers = Vec::new();
    let mut accepted = 0;

    while !shutdown.load(Ordering::Relaxed) {
        // acceptで止まらないよう、接続が来たときだけ受け付けます。
        if !wait_readable(listener, POLL_INTERVAL_MS)? {
            continue;
        }
        let (stream, _) = match listener.accept() {
            Ok(connection) => connection,
            Err(error) if error.kind() == io::ErrorKind::WouldBlock => continue,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
            Err(error) => return Err(error),
        };
        accepted += 1;

        let version = version.to_owned();
        workers.push(thread::spawn(move || handle(stream, &version)));
        workers.retain(|worker| !worker.is_finished());
    }

    // 受け付けた接続は最後まで処理します。未処理の接続はカーネルのキューに残り、次のプロセスが受け取ります。
    for worker in workers {
        let _ = worker.join();
    }
    Ok(accepted)
}
// ANCHOR_END: serve

fn wait_readable(listener: &TcpListener, timeout_ms: i32) -> io::Result<bool> {
    let mut poll_fd = libc::pollfd {
        fd: listener.as_raw_fd(),
        events: libc::POLLIN,
        revents: 0,
    };
    // SAFETY: poll_fdは呼び出しの間だけ有効な1要素の配列です。
    let ready = unsafe { libc::poll(&mut poll_fd, 1, timeout_ms) };
    match ready {
        -1 if io::Error::last_os_error().kind() == io::ErrorKind::Interrupted => Ok(false),
        -1 => Err(io::Error::last_os_error()),
        0 => Ok(false),
        _ => Ok(true),
    }
}

// ANCHOR: handle
/// リクエスト行だけを読み、`GET /health`なら版を、`GET /probe?port=N`なら探りの結果をJSONで返します。接続は1リクエストで閉じます。
fn handle(mut stream: TcpStream, version: &str) {
    let _ = stream.set_read_timeout(Some(IO_TIMEOUT));
    let _ = stream.set_write_timeout(Some(IO_TIMEOUT));

    let request_line = match read_request_line(&mut stream) {
        Ok(line) => line,
        Err(error) => {
            eprintln!("hello-svc: リクエストを読めませんでした: {error}");
            return;
        }
    };

    let response = match request_line.split(' ').take(2).collect::<Vec<_>>()[..] {
        ["GET", "/health"] => json_response(&format!(
            "{{\"service\":\"hello\",\"version\":\"{version}\"}}\n"
        )),
        ["GET", target] if target.starts_with("/probe?port=") => {
            let port = target
                .trim_start_matches("/probe?port=")
                .parse()
                .unwrap_or(0);
            json_response(&crate::probe::probe(port))
        }
        _ => "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_owned(),
    };
    if let Err(error) = stream.write_all(response.as_bytes()) {
        eprintln!("hello-svc: 応答を書けませんでした: {error}");
    }
}
// ANCHOR_END: handle

fn json_response(body: &str) -> String {
    let length = body.len();
    format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {length}\r\nConnection: close\r\n\r\n{body}"
    )
}

/// ヘッダーの終わり（空行）まで読み、最初の行を返します。8 KiBを超えるヘッダーは拒否します。
fn read_request_line(stream: &mut TcpStream) -> io::Result<String> {
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 1024];
    while !buffer.windows(4).any(|window| window == b"\r\n\r\n") {
        let read = stream.read(&mut chunk)?;
        if read == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "ヘッダーの途中で接続が閉じられました",
            ));
        }
        buffer.extend_from_slice(&chunk[..read]);
        if buffer.len() > 8192 {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "ヘッダーが8 KiBを超えています",
            ));
        }
    }
    let text = String::from_utf8_lossy(&buffer);
    Ok(text.lines().next().unwrap_or_default().to_owned())
}

// ANCHOR: sigterm
/// SIGTERMとSIGINTをすべてのスレッドで止め、専用スレッドの`sigwait`で受けて`shutdown`を立てます。
/// スレッドを作る前に呼んでください（マスクは子スレッドに受け継がれます）。
pub fn install_shutdown_handler(shutdown: &'static AtomicBool) -> io::Result<()> {
    // SAFETY: sigset_tはゼロ初期化してからsigemptysetで整え、関数の中でだけ使います。
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, libc::SIGTERM);
        libc::sigaddset(&mut set, libc::SIGINT);
        let result = libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
        if result != 0 {
            return Err(io::Error::from_raw_os_error(result));
        }

        thread::spawn(move || {
            let mut signal = 0;
            libc::sigwait(&set, &mut signal);
            eprintln!(
                "hello-svc: シグナル{signal}を受けました。受け付け済みのリクエストを処理してから終了します。"
            );
            shutdown.store(true, Ordering::Relaxed);
        });
    }
    Ok(())
}
// ANCHOR_END: sigterm
