//! パーセンタイルの計算です (演習 1 の対象ファイル)。

// ANCHOR: percentile
/// 昇順に並んだ値から、p パーセンタイル (0 < p <= 100) を最近傍順位法 (nearest-rank 法) で返します。
///
/// 順位は `ceil(p / 100 × n)` (1 始まり) で、返す値は必ず実際に観測された値の 1 つです。
/// 値が 1 つもなければ `None` を返します。
pub fn percentile(sorted: &[f64], p: f64) -> Option<f64> {
    // TODO: 範囲外の p (0 以下、100 超、NaN) と空の入力では None を返してください。
    // TODO: 順位 ceil(p / 100 × n) を求め、1 始まりの順位を添字に直して値を返してください。
    let _ = (sorted, p);
    todo!("演習 1: percentile を実装してください")
}
// ANCHOR_END: percentile
