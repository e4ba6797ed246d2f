//! `/metrics`の本文の形です。決まった要約から作り、スナップショットで確かめます。

use lab_4::metrics;
use lab_4::requests::{RouteCount, RouteLatency, Summary, VersionCount};

fn summary() -> Summary {
    Summary {
        version: 2,
        schema_version: 2,
        since_ms: 1_796_000_000_000,
        counts: vec![
            RouteCount {
                route: "/health".into(),
                status: 200,
                count: 5210,
                latency_sum_us: 1_302_500,
            },
            RouteCount {
                route: "other".into(),
                status: 404,
                count: 3,
                latency_sum_us: 45,
            },
        ],
        latencies: vec![RouteLatency {
            route: "/health".into(),
            samples: 1200,
            p50_us: 180.0,
            p90_us: 260.0,
            p99_us: 910.0,
        }],
        served_by: vec![
            VersionCount {
                served_by: 1,
                route: "/health".into(),
                count: 3005,
            },
            VersionCount {
                served_by: 2,
                route: "/health".into(),
                count: 2205,
            },
        ],
    }
}

#[test]
fn prometheus_text() {
    insta::with_settings!({ omit_expression => true }, {
        insta::assert_snapshot!("prometheus", metrics::prometheus(&summary(), "pulley"));
    });
}

#[test]
fn json_has_engine() {
    let json: serde_json::Value =
        serde_json::from_str(&metrics::json(&summary(), "pulley")).unwrap();
    assert_eq!(json["engine"], "pulley");
    assert_eq!(json["served_by"][1]["count"], 2205);
}
