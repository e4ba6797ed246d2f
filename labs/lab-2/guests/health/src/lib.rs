//! `GET /health`にJSONで答えるwasi:httpコンポーネントです。

use wasip2::http::types::{
    Fields, IncomingRequest, Method, OutgoingBody, OutgoingResponse, ResponseOutparam,
};

// ANCHOR: route
/// ルーティングの結果です。ステータスとJSONの本文を持ちます。
struct Reply {
    status: u16,
    body: String,
    allow: bool,
}

/// メソッドとパスから応答を決めます。HEADはGETと同じ応答から本文だけを省きます。
fn route(method: &Method, path_with_query: &str) -> Reply {
    // クエリ文字列はルーティングに使いません。
    let path = path_with_query.split('?').next().unwrap_or("");
    if path != "/health" {
        return Reply { status: 404, body: r#"{"error":"not found"}"#.into(), allow: false };
    }

    match method {
        Method::Get | Method::Head => Reply {
            status: 200,
            body: format!(r#"{{"status":"ok","version":"{}"}}"#, env!("CARGO_PKG_VERSION")),
            allow: false,
        },
        _ => Reply { status: 405, body: r#"{"error":"method not allowed"}"#.into(), allow: true },
    }
}
// ANCHOR_END: route

// ANCHOR: handler
struct Health;

impl wasip2::exports::http::incoming_handler::Guest for Health {
    /// ホストがリクエストごとに新しいインスタンスで呼ぶ入口です。
    fn handle(request: IncomingRequest, response_out: ResponseOutparam) {
        let method = request.method();
        let reply = route(&method, &request.path_with_query().unwrap_or_default());

        // ヘッダーを組み立てます。HEADでもGETと同じcontent-lengthを返します。
        let mut headers = vec![
            ("content-type".to_string(), b"application/json".to_vec()),
            ("content-length".to_string(), reply.body.len().to_string().into_bytes()),
        ];
        if reply.allow {
            headers.push(("allow".to_string(), b"GET, HEAD".to_vec()));
        }
        let fields = Fields::from_list(&headers).expect("ヘッダーは固定の正しい値です");
        let response = OutgoingResponse::new(fields);
        response.set_status_code(reply.status).expect("ステータスは固定の正しい値です");

        // HEADなら本文を書かずに終えます。
        if matches!(method, Method::Head) {
            ResponseOutparam::set(response_out, Ok(response));
            return;
        }

        // 本文を書いてからfinishで終わりを伝えます。
        let body = response.body().expect("本文は一度だけ取り出します");
        ResponseOutparam::set(response_out, Ok(response));
        let stream = body.write().expect("ストリームは一度だけ取り出します");
        stream.blocking_write_and_flush(reply.body.as_bytes()).expect("本文を書けません");
        drop(stream);
        OutgoingBody::finish(body, None).expect("本文を閉じられません");
    }
}

wasip2::http::proxy::export!(Health);
// ANCHOR_END: handler
