//! `/metrics`の本文: Prometheusのテキスト形式とJSONです。

use std::fmt::Write;

use crate::requests::Summary;

// ANCHOR: prometheus
/// 要約をPrometheusのテキスト形式（text/plain; version=0.0.4）にします。
/// 件数はSQLiteに残っているので、サービスを再起動しても減らないカウンターになります。
pub fn prometheus(summary: &Summary, engine: &str) -> String {
    let mut out = String::new();
    let mut line = |text: String| {
        out.push_str(&text);
        out.push('\n');
    };

    line("# HELP karui_build_info 応答しているサービスの版、スキーマのバージョン、WASMのエンジンです。".into());
    line("# TYPE karui_build_info gauge".into());
    line(format!(
        "karui_build_info{{version=\"{}\",schema=\"{}\",engine=\"{engine}\"}} 1",
        summary.version, summary.schema_version
    ));

    line(
        "# HELP karui_requests_total 記録したリクエストの数です（ルートとステータスごと）。".into(),
    );
    line("# TYPE karui_requests_total counter".into());
    for c in &summary.counts {
        line(format!(
            "karui_requests_total{{route=\"{}\",status=\"{}\"}} {}",
            c.route, c.status, c.count
        ));
    }

    line("# HELP karui_request_duration_seconds 処理時間の分位数です（直近の記録から）。".into());
    line("# TYPE karui_request_duration_seconds summary".into());
    for l in &summary.latencies {
        for (quantile, us) in [("0.5", l.p50_us), ("0.9", l.p90_us), ("0.99", l.p99_us)] {
            line(format!(
                "karui_request_duration_seconds{{route=\"{}\",quantile=\"{quantile}\"}} {}",
                l.route,
                us / 1e6
            ));
        }
        let (count, sum_us) = summary
            .counts
            .iter()
            .filter(|c| c.route == l.route)
            .fold((0, 0), |(n, s), c| (n + c.count, s + c.latency_sum_us));
        line(format!(
            "karui_request_duration_seconds_sum{{route=\"{}\"}} {}",
            l.route,
            sum_us as f64 / 1e6
        ));
        line(format!(
            "karui_request_duration_seconds_count{{route=\"{}\"}} {count}",
            l.route
        ));
    }
    out
}
// ANCHOR_END: prometheus

/// 要約をJSONにします（`/metrics?format=json`）。
pub fn json(summary: &Summary, engine: &str) -> String {
    let mut value = serde_json::to_value(summary).expect("要約はJSONにできます");
    value["engine"] = engine.into();
    let mut text = serde_json::to_string_pretty(&value).expect("JSONの値は文字列にできます");
    let _ = writeln!(text);
    text
}
