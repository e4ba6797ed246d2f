//! 第5章の図（SVG）です。plottersで描きます。文字はSVGの`<text>`なので、ブラウザーの日本語フォントで表示されます。

use plotters::prelude::*;

use super::inputs::Inputs;
use super::tables::{NATIVE, upgrade_by_method};

/// 文字のフォントです。具体的な書体はブラウザーが選びます。
const FONT: &str = "sans-serif";
/// 棒の色です（1系列だけなので1色にします）。
const BAR: RGBColor = RGBColor(0x3b, 0x6e, 0xa5);
/// 基準の棒の色です。
const BASE: RGBColor = RGBColor(0x99, 0x99, 0x99);

/// 横棒グラフの1本です。
pub struct Bar {
    pub label: String,
    pub value: f64,
    /// 基準の棒なら`true`（灰色で描きます）。
    pub baseline: bool,
}

/// 横軸の目盛りです。
#[derive(Clone, Copy)]
pub enum Scale {
    Linear,
    Log,
}

// ANCHOR: bar_chart
/// 横棒グラフを描いてSVGの文字列で返します。棒の右に値を書きます。
pub fn bar_chart(
    title: &str,
    x_desc: &str,
    bars: &[Bar],
    scale: Scale,
    format: &dyn Fn(f64) -> String,
) -> anyhow::Result<String> {
    let height = 90 + 36 * bars.len() as u32;
    let max = bars
        .iter()
        .map(|b| b.value)
        .fold(f64::MIN_POSITIVE, f64::max);
    let min = bars.iter().map(|b| b.value).fold(f64::MAX, f64::min);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (900, height)).into_drawing_area();
        root.fill(&WHITE)?;
        let mut builder = ChartBuilder::on(&root);
        builder
            .caption(title, (FONT, 20))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(330);
        // 区間は`0..=last`の`last + 1`個です。上から順に並べるため、`i`本目の棒を区間`last - i`に描きます。
        let last = bars.len().saturating_sub(1) as i32;
        let label = |v: &SegmentValue<i32>| match v {
            SegmentValue::CenterOf(i) => bars
                .get((last - *i) as usize)
                .map(|b| b.label.clone())
                .unwrap_or_default(),
            _ => String::new(),
        };
        match scale {
            Scale::Linear => {
                let mut chart =
                    builder.build_cartesian_2d(0.0..max * 1.3, (0..last).into_segmented())?;
                chart
                    .configure_mesh()
                    .disable_y_mesh()
                    .y_labels(bars.len())
                    .y_label_formatter(&label)
                    .x_label_formatter(&|v| format!("{v:.0}"))
                    .x_desc(x_desc)
                    .label_style((FONT, 13))
                    .axis_desc_style((FONT, 14))
                    .draw()?;
                draw_bars(&mut chart, bars, 0.0, format)?;
            }
            Scale::Log => {
                let low = 10f64.powf(min.log10().floor());
                let high = 10f64.powf(max.log10().ceil() + 0.5);
                let mut chart = builder
                    .build_cartesian_2d((low..high).log_scale(), (0..last).into_segmented())?;
                chart
                    .configure_mesh()
                    .disable_y_mesh()
                    .y_labels(bars.len())
                    .y_label_formatter(&label)
                    .x_label_formatter(&|v| format_axis(*v))
                    .x_desc(x_desc)
                    .label_style((FONT, 13))
                    .axis_desc_style((FONT, 14))
                    .draw()?;
                draw_bars(&mut chart, bars, low, format)?;
            }
        }
        root.present()?;
    }
    Ok(svg)
}
// ANCHOR_END: bar_chart

/// 棒と、その右の値を描きます。`base`は棒の左端の値です。
fn draw_bars<'a, X>(
    chart: &mut ChartContext<
        'a,
        SVGBackend<'a>,
        Cartesian2d<
            X,
            plotters::coord::ranged1d::SegmentedCoord<plotters::coord::types::RangedCoordi32>,
        >,
    >,
    bars: &[Bar],
    base: f64,
    format: &dyn Fn(f64) -> String,
) -> anyhow::Result<()>
where
    X: Ranged<ValueType = f64>,
{
    let last = bars.len().saturating_sub(1) as i32;
    chart.draw_series(bars.iter().enumerate().map(|(i, bar)| {
        let color = if bar.baseline { BASE } else { BAR };
        let i = last - i as i32;
        let mut rect = Rectangle::new(
            [
                (base, SegmentValue::Exact(i)),
                (bar.value, SegmentValue::Exact(i + 1)),
            ],
            color.filled(),
        );
        rect.set_margin(6, 6, 0, 0);
        rect
    }))?;
    chart.draw_series(bars.iter().enumerate().map(|(i, bar)| {
        Text::new(
            format!(" {}", format(bar.value)),
            (bar.value, SegmentValue::CenterOf(last - i as i32)),
            (FONT, 13)
                .into_font()
                .color(&BLACK)
                .pos(plotters::style::text_anchor::Pos::new(
                    plotters::style::text_anchor::HPos::Left,
                    plotters::style::text_anchor::VPos::Center,
                )),
        )
    }))?;
    Ok(())
}

/// 対数軸の目盛りの数値です（1000以上と0.01未満は指数で書きます）。
fn format_axis(value: f64) -> String {
    if !(0.01..1000.0).contains(&value) {
        format!("{value:.0e}")
    } else {
        format!("{value}")
    }
}

/// 主張6: 配る物の大きさ（対数軸）です。
pub fn sizes(inputs: &Inputs) -> anyhow::Result<String> {
    let bars: Vec<Bar> = inputs
        .svc
        .sizes
        .iter()
        .map(|row| Bar {
            label: row.name.clone(),
            value: row.bytes as f64,
            baseline: row.name == crate::bench::sizes::BASELINE,
        })
        .collect();
    bar_chart(
        "配る物の大きさ（対数軸、灰色が基準）",
        "バイト",
        &bars,
        Scale::Log,
        &|v| lab_2::aot::format_size(v as u64),
    )
}

/// 主張6: スループット（lab-2とlab-4）です。
pub fn throughput(inputs: &Inputs) -> anyhow::Result<String> {
    let mut bars = Vec::new();
    for (index, (name, rps)) in inputs.wasm.throughput.iter().enumerate() {
        bars.push(Bar {
            label: format!("lab-2: {name}"),
            value: *rps,
            baseline: index == 0,
        });
    }
    for server in &inputs.svc.servers {
        bars.push(Bar {
            label: format!("lab-4: {}", server.name),
            value: server.requests_per_sec,
            baseline: server.name == NATIVE,
        });
    }
    bar_chart(
        "GET /healthのスループット（灰色が各計測の基準）",
        "リクエスト/秒",
        &bars,
        Scale::Linear,
        &|v| format!("{v:.0}"),
    )
}

/// 主張7: 起動にかかる時間（対数軸、ミリ秒）です。
pub fn startup(inputs: &Inputs) -> anyhow::Result<String> {
    let mut bars = Vec::new();
    for server in &inputs.svc.servers {
        bars.push(Bar {
            label: format!("lab-4: {}", server.name),
            value: server.startup_median_ms(),
            baseline: server.name == NATIVE,
        });
    }
    for row in &inputs.wasm.startup {
        bars.push(Bar {
            label: format!("lab-2: {}のコンパイル", row.engine),
            value: row.compile_ms,
            baseline: false,
        });
        bars.push(Bar {
            label: format!("lab-2: {}のインスタンス化p50", row.engine),
            value: row.instantiate_p50_us / 1e3,
            baseline: false,
        });
    }
    bar_chart(
        "起動にかかる時間（対数軸、灰色が基準）",
        "ミリ秒",
        &bars,
        Scale::Log,
        &super::tables::format_ms,
    )
}

/// 主張3: 更新の方法ごとの失敗の合計です。
pub fn upgrade(inputs: &Inputs) -> anyhow::Result<String> {
    let bars: Vec<Bar> = upgrade_by_method(inputs)
        .into_iter()
        .map(|(method, rows)| Bar {
            label: method,
            value: rows.iter().map(|r| r.1).sum::<u64>() as f64,
            baseline: false,
        })
        .collect();
    bar_chart(
        "負荷をかけたままの更新で失敗したリクエスト（全回の合計）",
        "失敗したリクエスト",
        &bars,
        Scale::Linear,
        &|v| format!("{v:.0}"),
    )
}

/// 主張8: WAL + NORMALでのバッチの大きさと行/秒（両対数）です。基準とnode:sqliteは点で重ねます。
pub fn sqlite(inputs: &Inputs) -> anyhow::Result<String> {
    let rows = &inputs.sqlite.rows;
    let wal_normal = |r: &&super::inputs::SqliteRow| {
        r.journal_mode == "WAL"
            && r.synchronous == "NORMAL"
            && !r.method.contains("node")
            && !r.method.contains("Store")
    };
    let line: Vec<(f64, f64)> = rows
        .iter()
        .filter(wal_normal)
        .map(|r| (r.batch as f64, r.rows_per_sec))
        .collect();
    let node: Vec<(f64, f64)> = rows
        .iter()
        .filter(|r| r.method.contains("node"))
        .map(|r| (r.batch as f64, r.rows_per_sec))
        .collect();
    let base: Vec<(f64, f64)> = rows
        .first()
        .map(|r| (r.batch as f64, r.rows_per_sec))
        .into_iter()
        .collect();

    let all = || line.iter().chain(&node).chain(&base);
    let max_batch = all().map(|p| p.0).fold(10.0, f64::max);
    let min_rate = all().map(|p| p.1).fold(f64::MAX, f64::min);
    let max_rate = all().map(|p| p.1).fold(1.0, f64::max);
    let y_low = 10f64.powf(min_rate.log10().floor());
    let y_high = 10f64.powf(max_rate.log10().ceil());

    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (900, 520)).into_drawing_area();
        root.fill(&WHITE)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(
                "1トランザクションの行数と書き込みの速さ（両対数）",
                (FONT, 20),
            )
            .margin(12)
            .x_label_area_size(44)
            .y_label_area_size(80)
            .build_cartesian_2d(
                (0.5..max_batch * 2.0).log_scale(),
                (y_low..y_high).log_scale(),
            )?;
        chart
            .configure_mesh()
            .x_desc("バッチ（行、1は自動コミット）")
            .y_desc("行/秒")
            .x_label_formatter(&|v| format_axis(*v))
            .y_label_formatter(&|v| format_axis(*v))
            .label_style((FONT, 13))
            .axis_desc_style((FONT, 14))
            .draw()?;

        chart
            .draw_series(LineSeries::new(line.iter().copied(), BAR.stroke_width(2)))?
            .label("rusqlite（WAL + NORMAL）")
            .legend(|(x, y)| PathElement::new([(x, y), (x + 20, y)], BAR.stroke_width(2)));
        chart.draw_series(line.iter().map(|p| Circle::new(*p, 4, BAR.filled())))?;
        chart
            .draw_series(
                node.iter()
                    .map(|p| TriangleMarker::new(*p, 7, RED.filled())),
            )?
            .label("node:sqlite（WAL + NORMAL）")
            .legend(|(x, y)| TriangleMarker::new((x + 10, y), 7, RED.filled()));
        chart
            .draw_series(
                base.iter()
                    .map(|p| Cross::new(*p, 6, BLACK.stroke_width(2))),
            )?
            .label("基準: SQLiteの既定の設定（DELETE、FULL）")
            .legend(|(x, y)| Cross::new((x + 10, y), 6, BLACK.stroke_width(2)));
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::LowerRight)
            .background_style(WHITE.mix(0.9))
            .border_style(BLACK)
            .label_font((FONT, 13))
            .draw()?;
        root.present()?;
    }
    Ok(svg)
}
