//! サンドボックスを試すための敵対的なwasi:httpコンポーネントです。
//! パスごとに1つずつ攻撃をします。`/health`だけは普通に答えます。

use std::hint::black_box;

use wasip2::http::outgoing_handler;
use wasip2::http::types::{
    Fields, IncomingRequest, OutgoingBody, OutgoingRequest, OutgoingResponse, ResponseOutparam,
    Scheme,
};

struct Hostile;

impl wasip2::exports::http::incoming_handler::Guest for Hostile {
    fn handle(request: IncomingRequest, response_out: ResponseOutparam) {
        let path = request.path_with_query().unwrap_or_default();
        match path.as_str() {
            "/loop" => endless_loop(),
            "/sleep" => {
                sleep_in_host();
                reply(response_out, 200, "起きました");
            }
            "/memory" => memory_bomb(),
            "/stack" => {
                black_box(recurse(0));
            }
            "/passwd" => reply(response_out, 200, &read_passwd()),
            "/outbound" => reply(response_out, 200, &outbound()),
            "/huge-body" => endless_body(response_out),
            _ => reply(response_out, 200, r#"{"status":"ok"}"#),
        }
    }
}

wasip2::http::proxy::export!(Hostile);

// ANCHOR: loop
/// 終わらないループです。エポック割り込みだけがこれを止められます。
fn endless_loop() -> ! {
    let mut counter: u64 = 0;
    loop {
        counter = black_box(counter.wrapping_add(1));
    }
}
// ANCHOR_END: loop

// ANCHOR: sleep
/// ホストの呼び出しの中で3秒待ちます。WASMを実行していないので、エポックでは止まりません。
fn sleep_in_host() {
    let three_seconds = 3_000_000_000;
    wasip2::clocks::monotonic_clock::subscribe_duration(three_seconds).block();
}
// ANCHOR_END: sleep

// ANCHOR: memory
/// 1 MiBずつメモリを確保し続けます。
fn memory_bomb() {
    let mut blocks: Vec<Vec<u8>> = Vec::new();
    loop {
        blocks.push(vec![1u8; 1 << 20]);
        black_box(&blocks);
    }
}
// ANCHOR_END: memory

/// 末尾呼び出しにならない再帰で、スタックを使い切ります。
#[expect(unconditional_recursion, reason = "スタックを使い切るのが目的です")]
fn recurse(depth: u64) -> u64 {
    black_box(recurse(depth + 1)) + depth
}

// ANCHOR: passwd
/// ホストの/etc/passwdを読もうとし、起きたことを文字列で返します。
fn read_passwd() -> String {
    match std::fs::read_to_string("/etc/passwd") {
        Ok(text) => format!("read {} bytes", text.len()),
        Err(err) => format!("error: {err}"),
    }
}
// ANCHOR_END: passwd

// ANCHOR: outbound
/// 外向きのHTTPリクエストを送ろうとし、起きたことを文字列で返します。
fn outbound() -> String {
    let request = OutgoingRequest::new(Fields::new());
    request.set_scheme(Some(&Scheme::Http)).expect("スキームを設定できません");
    request.set_authority(Some("example.com")).expect("宛先を設定できません");
    request.set_path_with_query(Some("/")).expect("パスを設定できません");

    // 送信はまず受け付けられ、結果はfutureで届きます。拒否もそこで分かります。
    let future = match outgoing_handler::handle(request, None) {
        Ok(future) => future,
        Err(code) => return format!("error: {code:?}"),
    };
    future.subscribe().block();
    match future.get() {
        Some(Ok(Ok(_))) => "error: the request was sent".to_string(),
        Some(Ok(Err(code))) => format!("error: {code:?}"),
        other => format!("error: {other:?}"),
    }
}
// ANCHOR_END: outbound

// ANCHOR: huge_body
/// 200を返したあと、終わらない本文を4 KiBずつ書き続けます。
fn endless_body(response_out: ResponseOutparam) {
    let response = OutgoingResponse::new(Fields::new());
    let body = response.body().expect("本文は一度だけ取り出します");
    ResponseOutparam::set(response_out, Ok(response));
    let stream = body.write().expect("ストリームは一度だけ取り出します");
    let chunk = vec![b'x'; 4096];
    loop {
        if stream.blocking_write_and_flush(&chunk).is_err() {
            return;
        }
    }
}
// ANCHOR_END: huge_body

/// 小さな本文の応答を返します。
fn reply(response_out: ResponseOutparam, status: u16, text: &str) {
    let response = OutgoingResponse::new(Fields::new());
    response.set_status_code(status).expect("ステータスは固定の正しい値です");
    let body = response.body().expect("本文は一度だけ取り出します");
    ResponseOutparam::set(response_out, Ok(response));
    let stream = body.write().expect("ストリームは一度だけ取り出します");
    stream.blocking_write_and_flush(text.as_bytes()).expect("本文を書けません");
    drop(stream);
    OutgoingBody::finish(body, None).expect("本文を閉じられません");
}
