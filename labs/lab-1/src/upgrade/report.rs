//! 計測結果を表にします: 端末向けの表と、本に載せるMarkdown（計測したマシンの情報つき）。

use comfy_table::Table;

use super::Outcome;

/// 端末に出す表。
pub fn table(outcomes: &[Outcome]) -> Table {
    let mut table = Table::new();
    table.set_header([
        "回",
        "方法",
        "送信",
        "失敗",
        "v1の応答",
        "v2の応答",
        "更新の操作（ms）",
        "失敗の内訳",
        "(b)の再起動の順",
    ]);
    for outcome in outcomes {
        let report = &outcome.report;
        let count = |version: &str| {
            report
                .versions
                .get(version)
                .copied()
                .unwrap_or(0)
                .to_string()
        };
        let errors: Vec<String> = report
            .errors
            .iter()
            .map(|(kind, count)| format!("{kind} {count}"))
            .collect();
        table.add_row([
            outcome.round.to_string(),
            outcome.method.label().to_owned(),
            report.sent.to_string(),
            report.failed.to_string(),
            count("1"),
            count("2"),
            outcome.upgrade_ms.to_string(),
            if errors.is_empty() {
                "-".to_owned()
            } else {
                errors.join(", ")
            },
            order_label(outcome),
        ]);
    }
    table
}

/// 本の`generated/lab-1/upgrade.md`に書くMarkdown。`image_bytes`はhello_2.rawの大きさです。
pub fn markdown(outcomes: &[Outcome], image_bytes: u64) -> String {
    let mut text = String::from(
        "| 回 | 方法 | 送信 | 失敗 | v1の応答 | v2の応答 | 更新の操作（ms） | 失敗の内訳 | (b)の再起動の順 |\n",
    );
    text.push_str("| ---: | --- | ---: | ---: | ---: | ---: | ---: | --- | --- |\n");
    for outcome in outcomes {
        let report = &outcome.report;
        let count = |version: &str| report.versions.get(version).copied().unwrap_or(0);
        let errors: Vec<String> = report
            .errors
            .iter()
            .map(|(kind, count)| format!("{kind} {count}"))
            .collect();
        let errors = if errors.is_empty() {
            "-".to_owned()
        } else {
            errors.join(", ")
        };
        text.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} | {errors} | {} |\n",
            outcome.round,
            outcome.method.label(),
            report.sent,
            report.failed,
            count("1"),
            count("2"),
            outcome.upgrade_ms,
            order_label(outcome)
        ));
    }
    text.push_str(&format!(
        "\nイメージhello_2.rawの大きさ: {image_bytes}バイト（{} KiB）\n\n",
        image_bytes / 1024
    ));
    text.push_str(&machine_description());
    text
}

/// (b)の再起動の順。ほかの方法では`-`、(b)でログを読めなかったときは`不明`です。
fn order_label(outcome: &Outcome) -> String {
    if outcome.method != super::Method::PortablectlNow {
        return "-".to_owned();
    }
    outcome
        .restart_order
        .map_or("不明", |order| order.label())
        .to_owned()
}

/// 計測したマシン: CPU、コア数、カーネル、ファイルシステム、日時。
pub fn machine_description() -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let cpu = cpuinfo
        .lines()
        .find_map(|line| line.strip_prefix("model name"))
        .map(|rest| rest.trim_start_matches([' ', '\t', ':']));
    let cores = std::thread::available_parallelism()
        .map(|cores| cores.get())
        .unwrap_or(0);
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    let filesystem = std::process::Command::new("findmnt")
        .args([
            "--noheadings",
            "--output",
            "FSTYPE",
            "--target",
            crate::machine::CACHE_DIR,
        ])
        .output()
        .map(|output| String::from_utf8_lossy(&output.stdout).trim().to_owned())
        .unwrap_or_default();
    let now = jiff::Zoned::now().strftime("%Y-%m-%d %H:%M:%S %:z");
    format!(
        "計測したマシン: CPU {}、{cores}コア、カーネル{}、ラボマシンのrootfsのファイルシステム{filesystem}、計測日時{now}\n",
        cpu.unwrap_or("不明"),
        kernel.trim()
    )
}
