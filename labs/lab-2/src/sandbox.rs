//! 敵対的なゲストを1つずつ走らせ、何が起き、どの仕組みが止めたかを表にします。

use std::sync::Arc;

use comfy_table::Table;

use crate::client::{Reply, send};
use crate::config::{EngineKind, EngineOptions, Limits};
use crate::engine::{EpochTicker, build_engine};
use crate::server::{Host, RunningServer};

/// 1つの攻撃です。
pub struct Case {
    pub path: &'static str,
    pub attempt: &'static str,
    pub mechanism: &'static str,
}

// ANCHOR: cases
/// 敵対的なゲスト（guests/hostile）のパスごとの攻撃と、それを止めるはずの仕組みです。
pub const CASES: [Case; 7] = [
    Case {
        path: "/loop",
        attempt: "終わらないループ",
        mechanism: "エポック割り込み（時間制限）",
    },
    Case {
        path: "/sleep",
        attempt: "ホストの呼び出しで3秒待つ",
        mechanism: "tokioのタイムアウト（壁時計の時間制限）",
    },
    Case {
        path: "/memory",
        attempt: "メモリを1 MiBずつ確保し続ける",
        mechanism: "ResourceLimiter（メモリの上限）",
    },
    Case {
        path: "/passwd",
        attempt: "/etc/passwdを読む",
        mechanism: "ケイパビリティ（プリオープンしたディレクトリなし）",
    },
    Case {
        path: "/outbound",
        attempt: "外へHTTPリクエストを送る",
        mechanism: "send_requestを拒否するフック",
    },
    Case {
        path: "/stack",
        attempt: "終わらない再帰",
        mechanism: "max_wasm_stack（スタックの上限）",
    },
    Case {
        path: "/huge-body",
        attempt: "終わらない応答本文",
        mechanism: "応答本文の上限（http_body_util::Limited）",
    },
];
// ANCHOR_END: cases

/// 1つの攻撃の結果と、その直後の`/health`の結果です。
#[derive(Debug, serde::Serialize)]
pub struct Outcome {
    pub path: &'static str,
    pub attempt: &'static str,
    pub status: u16,
    pub result: String,
    pub mechanism: &'static str,
    pub health_after: u16,
}

// ANCHOR: run
/// 1つのサーバーに攻撃を順に送り、そのたびに同じサーバーの`/health`を確かめます。
pub async fn run(kind: EngineKind) -> anyhow::Result<Vec<Outcome>> {
    let options = EngineOptions::new(kind, Limits::default());
    let engine = build_engine(&options).map_err(|e| anyhow::anyhow!("{e:#}"))?;
    let _ticker = EpochTicker::start(&engine);
    let host = Host::load(&engine, crate::guests::hostile(), options.limits)?;
    let server = RunningServer::start(Arc::new(host)).await?;

    let mut outcomes = Vec::new();
    for case in &CASES {
        let reply = send(server.addr, "GET", case.path).await?;
        let health = send(server.addr, "GET", "/health").await?;
        outcomes.push(Outcome {
            path: case.path,
            attempt: case.attempt,
            status: reply.status,
            result: summarize(&reply, options.limits.max_body_bytes),
            mechanism: case.mechanism,
            health_after: health.status,
        });
    }

    server.stop().await?;
    Ok(outcomes)
}
// ANCHOR_END: run

/// 応答を1行にまとめます。切れた本文は切った上限を、短い本文はその中身を示します。
/// 切れる前に届いたバイト数はタイミングで変わるので、表には出しません。
fn summarize(reply: &Reply, max_body_bytes: u64) -> String {
    if reply.body_error.is_some() {
        let kib = max_body_bytes / 1024;
        return format!("本文が上限の{kib} KiBを超えたので、接続を切りました。");
    }
    let text = String::from_utf8_lossy(&reply.body);
    text.trim().chars().take(80).collect()
}

/// 結果を日本語の表にします。
pub fn render(outcomes: &[Outcome]) -> String {
    let mut table = Table::new();
    table.load_preset(comfy_table::presets::ASCII_MARKDOWN);
    table.set_header([
        "パス",
        "ゲストがしたこと",
        "HTTP",
        "結果",
        "止めた仕組み",
        "直後の/health",
    ]);
    for o in outcomes {
        table.add_row([
            format!("`{}`", o.path),
            o.attempt.to_string(),
            o.status.to_string(),
            o.result.clone(),
            o.mechanism.to_string(),
            o.health_after.to_string(),
        ]);
    }
    table.to_string()
}
