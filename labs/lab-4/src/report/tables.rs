//! 第5章の表（Markdown）です。主張ごとに1つ、比は基準を名指しして並べます。

use std::collections::BTreeMap;

use super::inputs::Inputs;
use crate::bench::render::ratio;
use crate::bench::sizes::BASELINE as SIZE_BASELINE;

/// lab-4で起動時間とスループットの基準にするサーバーです（`FROM scratch`のイメージに入る静的バイナリ）。
pub const NATIVE: &str = "native-health（静的ネイティブ）";

/// どこで、いつ計測したかの一覧です。
pub fn machine(inputs: &Inputs) -> String {
    let bullets =
        |lines: &[String]| -> String { lines.iter().map(|l| format!("  - {l}\n")).collect() };
    let svc_lines: Vec<String> = inputs
        .svc
        .machine
        .lines()
        .map(|l| l.trim_start_matches("- ").to_owned())
        .collect();
    let mut text = String::new();
    text.push_str(&format!(
        "- lab-1（ゼロダウンタイム更新）: {}\n",
        inputs.upgrade.machine
    ));
    text.push_str("- lab-2（起動、スループット）:\n");
    text.push_str(&bullets(&inputs.wasm.machine));
    text.push_str("- lab-3（SQLiteの書き込み）:\n");
    text.push_str(&bullets(&inputs.sqlite.machine));
    text.push_str("- lab-4（karui-svcの起動とスループット、大きさ）:\n");
    text.push_str(&bullets(&svc_lines));
    text
}

/// 主張3: 更新の方法ごとの失敗の合計です。
pub fn upgrade(inputs: &Inputs) -> String {
    let mut text = String::from(
        "| 方法 | 回数 | 送信 | 失敗 | 失敗率 | 1回の失敗の最大 |\n|---|---:|---:|---:|---:|---:|\n",
    );
    for (method, rows) in upgrade_by_method(inputs) {
        let sent: u64 = rows.iter().map(|r| r.0).sum();
        let failed: u64 = rows.iter().map(|r| r.1).sum();
        let max = rows.iter().map(|r| r.1).max().unwrap_or(0);
        let rate = if sent > 0 {
            failed as f64 / sent as f64 * 100.0
        } else {
            0.0
        };
        text.push_str(&format!(
            "| {method} | {} | {sent} | {failed} | {rate:.2} % | {max} |\n",
            rows.len()
        ));
    }
    text
}

/// 方法ごとの（送信、失敗）の列です。方法の名前の順に並べます。
pub fn upgrade_by_method(inputs: &Inputs) -> BTreeMap<String, Vec<(u64, u64)>> {
    let mut methods: BTreeMap<String, Vec<(u64, u64)>> = BTreeMap::new();
    for row in &inputs.upgrade.rows {
        methods
            .entry(row.method.clone())
            .or_default()
            .push((row.sent, row.failed));
    }
    methods
}

/// 主張6の大きさです。基準（Debian slimのrootfs + native-health）の何分の1かを並べます。
pub fn sizes(inputs: &Inputs) -> String {
    let rows = &inputs.svc.sizes;
    let base = rows
        .iter()
        .find(|r| r.name == SIZE_BASELINE)
        .map(|r| r.bytes as f64);
    let mut text =
        format!("基準: {SIZE_BASELINE}（Dockerで配るときの典型的なイメージの中身）。\n\n");
    text.push_str(
        "| もの | Dockerでは | 大きさ | 基準比 | 基準の何分の1 |\n|---|---|---:|---:|---:|\n",
    );
    for row in rows {
        let fraction = match base {
            Some(base) if row.bytes > 0 && row.bytes as f64 <= base => {
                fraction(base / row.bytes as f64)
            }
            _ => "-".to_owned(),
        };
        text.push_str(&format!(
            "| {} | {} | {} | {} | {fraction} |\n",
            row.name,
            row.docker_equivalent,
            lab_2::aot::format_size(row.bytes),
            ratio(row.bytes as f64, base)
        ));
    }
    text
}

/// 主張6のスループットです。比は同じ計測の中のネイティブに対してだけ取ります。
pub fn throughput(inputs: &Inputs) -> String {
    let mut text = String::from(
        "| 計測 | サーバー | リクエスト/秒 | 基準（同じ計測のネイティブ） | 基準比 |\n|---|---|---:|---|---:|\n",
    );
    let wasm = &inputs.wasm.throughput;
    if let Some((base_name, base)) = wasm.first() {
        for (name, rps) in wasm {
            text.push_str(&format!(
                "| lab-2 | {name} | {rps:.0} | {base_name} | {} |\n",
                ratio(*rps, Some(*base))
            ));
        }
    }
    let base = native(inputs).map(|s| s.requests_per_sec);
    for server in &inputs.svc.servers {
        text.push_str(&format!(
            "| lab-4 | {} | {:.0} | {NATIVE} | {} |\n",
            server.name,
            server.requests_per_sec,
            ratio(server.requests_per_sec, base)
        ));
    }
    text
}

/// 主張7の起動です。プロセスの起動（lab-4）と、その内訳（lab-2）を1つの表に並べます。
pub fn startup(inputs: &Inputs) -> String {
    let base = native(inputs).map(|s| s.startup_median_ms());
    let mut text = format!(
        "基準: {NATIVE}のexecから最初の200まで（lab-4、{}回の中央値）。\n\n",
        inputs.svc.runs
    );
    text.push_str("| 計測 | 何の時間か | 時間 | 基準比 |\n|---|---|---:|---:|\n");
    for server in &inputs.svc.servers {
        let ms = server.startup_median_ms();
        text.push_str(&format!(
            "| lab-4 | {}: execから最初の200まで | {ms:.1} ms | {} |\n",
            server.name,
            ratio(ms, base)
        ));
    }
    for row in &inputs.wasm.startup {
        let steps = [
            ("`.wasm`からのコンパイル", row.compile_ms),
            ("AOT成果物の読み込み", row.aot_load_ms),
            (
                "インスタンス化p50（プーリング）",
                row.instantiate_p50_us / 1e3,
            ),
        ];
        for (what, ms) in steps {
            // lab-2の行は別の計測なので、lab-4の基準との比は出しません。
            text.push_str(&format!(
                "| lab-2 | {}: {what} | {} | - |\n",
                row.engine,
                format_ms(ms),
            ));
        }
    }
    text
}

/// 主張8: 書き込み方式ごとの行/秒です。基準はSQLiteの既定の設定で1行ずつ自動コミットです。
pub fn sqlite(inputs: &Inputs) -> String {
    let rows = &inputs.sqlite.rows;
    let base = rows.first();
    let mut text = match base {
        Some(b) => format!(
            "基準: {}（{}、synchronous={}、1行ずつ自動コミット）。lab-3の通常の依存クレートの数: {}。\n\n",
            b.method.trim_start_matches("基準: "),
            b.journal_mode,
            b.synchronous,
            inputs.sqlite.crate_count
        ),
        None => String::new(),
    };
    text.push_str("| 方式 | journal_mode | synchronous | バッチ（行） | 行/秒 | 基準比 |\n|---|---|---|---:|---:|---:|\n");
    for row in rows {
        text.push_str(&format!(
            "| {} | {} | {} | {} | {:.0} | {} |\n",
            row.method,
            row.journal_mode,
            row.synchronous,
            row.batch,
            row.rows_per_sec,
            ratio(row.rows_per_sec, base.map(|b| b.rows_per_sec))
        ));
    }
    text
}

fn native(inputs: &Inputs) -> Option<&crate::bench::ServerResult> {
    inputs.svc.servers.iter().find(|s| s.name == NATIVE)
}

/// 基準の`n`分の1を`1/12`の形で表します（10未満は小数1桁）。
fn fraction(n: f64) -> String {
    if n < 10.0 {
        format!("1/{n:.1}")
    } else {
        format!("1/{n:.0}")
    }
}

/// ミリ秒を、0.1 ms未満ならµsで表します。
pub fn format_ms(ms: f64) -> String {
    if ms < 0.1 {
        format!("{:.1} µs", ms * 1e3)
    } else {
        format!("{ms:.1} ms")
    }
}
