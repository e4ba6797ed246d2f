//! `lab-4 bench`の表（Markdown）です。

use super::sizes::{BASELINE, SizeRow};
use super::{BenchResult, ServerResult};

/// エンジンの費用を比べる基準のサーバーです（CraneliftでAOTコンパイルした成果物）。
pub const ENGINE_BASELINE: &str = "karui-svc（cranelift、.cwasm）";

/// 起動時間の表です。基準（Cranelift、.cwasm）に対する比を並べます。
pub fn render_startup(result: &BenchResult) -> String {
    let base = find(&result.servers, ENGINE_BASELINE).map(ServerResult::startup_median_ms);
    let mut text = format!(
        "execから`GET /health`の最初の200まで、各{}回の中央値です。毎回新しい状態ディレクトリで起動します。基準: {ENGINE_BASELINE}。\n\n",
        result.runs
    );
    text.push_str(
        "| サーバー | 起動時間（中央値） | 最小 / 最大 | 基準比 |\n|---|---:|---:|---:|\n",
    );
    for server in &result.servers {
        let median = server.startup_median_ms();
        let min = server
            .startup_ms
            .iter()
            .copied()
            .fold(f64::INFINITY, f64::min);
        let max = server.startup_ms.iter().copied().fold(0.0, f64::max);
        text.push_str(&format!(
            "| {} | {median:.1} ms | {min:.1} / {max:.1} ms | {} |\n",
            server.name,
            ratio(median, base)
        ));
    }
    text
}

/// スループットの表です。基準（Cranelift、.cwasm）に対する比を並べます。
pub fn render_throughput(result: &BenchResult) -> String {
    let base = find(&result.servers, ENGINE_BASELINE).map(|s| s.requests_per_sec);
    let mut text = format!(
        "負荷: keep-aliveのHTTP/1.1接続{}本、各{}秒、`GET /health`（karui-svcは1リクエストごとにSQLiteへ記録します）。基準: {ENGINE_BASELINE}。\n\n",
        result.connections, result.seconds
    );
    text.push_str("| サーバー | リクエスト/秒 | 基準比 | 失敗 | レイテンシp50 / p99 |\n|---|---:|---:|---:|---:|\n");
    for server in &result.servers {
        text.push_str(&format!(
            "| {} | {:.0} | {} | {} | {:.1} / {:.1} µs |\n",
            server.name,
            server.requests_per_sec,
            ratio(server.requests_per_sec, base),
            server.failed,
            server.p50_us,
            server.p99_us
        ));
    }
    text
}

/// 大きさの表です。基準（Debian slimのrootfs + native-health）に対する比を並べます。
pub fn render_sizes(rows: &[SizeRow]) -> String {
    let base = rows
        .iter()
        .find(|r| r.name == BASELINE)
        .map(|r| r.bytes as f64);
    let mut text = format!("基準: {BASELINE}。\n\n");
    text.push_str("| もの | Dockerでは | 大きさ | 基準比 |\n|---|---|---:|---:|\n");
    for row in rows {
        text.push_str(&format!(
            "| {} | {} | {} | {} |\n",
            row.name,
            row.docker_equivalent,
            lab_2::aot::format_size(row.bytes),
            ratio(row.bytes as f64, base)
        ));
    }
    text
}

fn find<'a>(servers: &'a [ServerResult], name: &str) -> Option<&'a ServerResult> {
    servers.iter().find(|s| s.name == name)
}

/// `value / base`を`0.12×`の形で表します。基準がなければ`-`です。
pub fn ratio(value: f64, base: Option<f64>) -> String {
    match base {
        Some(base) if base > 0.0 => {
            let r = value / base;
            if r < 0.01 {
                format!("{r:.4}×")
            } else {
                format!("{r:.2}×")
            }
        }
        _ => "-".to_owned(),
    }
}
