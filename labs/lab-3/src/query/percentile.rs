//! パーセンタイルの計算です (演習 1 の対象ファイル)。

// ANCHOR: percentile
/// 昇順に並んだ値から、p パーセンタイル (0 < p <= 100) を最近傍順位法 (nearest-rank 法) で返します。
///
/// 順位は `ceil(p / 100 × n)` (1 始まり) で、返す値は必ず実際に観測された値の 1 つです。
/// 値が 1 つもなければ `None` を返します。
pub fn percentile(sorted: &[f64], p: f64) -> Option<f64> {
    if sorted.is_empty() || !(p > 0.0 && p <= 100.0) {
        return None;
    }
    let rank = (p / 100.0 * sorted.len() as f64).ceil() as usize;
    let index = rank.clamp(1, sorted.len()) - 1;
    Some(sorted[index])
}
// ANCHOR_END: percentile
