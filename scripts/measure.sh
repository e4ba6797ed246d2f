#!/usr/bin/env bash
# ベンチマークを実行し、本が取り込む表と図 (book/src/generated/) を作り直します。
# 各ラボの labs/lab-N/measure.sh を順に実行します。テストではないので、時間がかかります。
# 使い方: ./scripts/measure.sh [lab-N ...]
set -euo pipefail
source "$(dirname "$0")/lib.sh"

"$KARUI_ROOT/scripts/setup.sh" >/dev/null

labs=("$@")
if [[ ${#labs[@]} -eq 0 ]]; then
  for script in "$KARUI_ROOT"/labs/*/measure.sh; do
    labs+=("$(basename "$(dirname "$script")")")
  done
fi

for lab in "${labs[@]}"; do
  script=$KARUI_ROOT/labs/$lab/measure.sh
  [[ -f $script ]] || die "$lab には measure.sh がありません。labs/ にあるラボ名を指定してください。"
  step "$lab を計測します"
  bash "$script"
done
echo "計測結果を book/src/generated/ に書きました。git diff で差分を確かめてください。"
