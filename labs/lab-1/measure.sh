#!/usr/bin/env bash
# lab-1 の計測: 負荷をかけたまま hello-svc を v1 から v2 へ 3 つの方法で更新し (3 回くり返します)、失敗件数とイメージの大きさを
# book/src/generated/lab-1/upgrade.md に書きます。ラボマシン (systemd-nspawn) を使うので root が必要です。
set -euo pipefail

lab_dir=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$lab_dir/../.." && pwd)
out_dir=$root/book/src/generated/lab-1
mkdir -p "$out_dir"

if [[ $(id -u) -ne 0 ]]; then
  echo "エラー: lab-1 の計測にはラボマシンを起動するため root が必要です。sudo -E env \"PATH=\$PATH\" ./scripts/measure.sh lab-1 として実行してください。" >&2
  exit 1
fi

# ラボマシンが止まっていれば upgrade-demo が起動し、終わったら止めます。
cargo run --release --quiet -p lab-1 -- upgrade-demo --rounds 3 --markdown "$out_dir/upgrade.md"
echo "書きました: $out_dir/upgrade.md"
