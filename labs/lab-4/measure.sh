#!/usr/bin/env bash
# lab-4の計測と第5章の表と図です。テストではありません。scripts/measure.shから最後に呼ばれます。
# 1. lab-4 bench: karui-svcをエンジンと成果物ごとにループバックで起動し、起動時間とスループットを測ります。
#    配る物の大きさも、Debianのslimなrootfs（debootstrap、初回は数分）と並べて測ります。
#    結果は book/src/generated/lab-4/（bench.jsonと表）に書きます。
#    続けてラボマシンでv1からv2への更新を計測し、upgrade.mdに書きます。
# 2. lab-4 report: lab-1からlab-4の計測結果から、book/src/generated/ch05/に表とSVGの図を書きます。
# debootstrapとその結果の/var/cache/karuiへの書き込みにrootが要ります。
# 単独でも実行できます: sudo -E env "PATH=$PATH" bash labs/lab-4/measure.sh
set -euo pipefail
source "$(dirname "$0")/../../scripts/lib.sh"

if [[ $(id -u) -ne 0 ]]; then
  die "lab-4の計測はdebootstrapでDebianのrootfsを作るためrootが必要です。sudo -E env \"PATH=\$PATH\" ./scripts/measure.sh lab-4 として実行してください。"
fi

cd "$KARUI_ROOT"

step "比較に使う静的ネイティブバイナリ (lab-2のnative-health、musl) を用意します"
target=$(uname -m)-unknown-linux-musl
native_dir=$KARUI_CACHE/target-native-health
cargo build --release --locked --quiet --target "$target" \
  --manifest-path labs/lab-2/native-health/Cargo.toml --target-dir "$native_dir"
native_bin=$native_dir/$target/release/native-health

step "lab-4 benchをreleaseで実行します（karui-svcのmusl向けビルドは初回に数分かかります）"
cargo run --release --locked --quiet -p lab-4 -- bench \
  --out book/src/generated/lab-4 \
  --native-bin "$native_bin"

step "負荷をかけたままv1からv2へ更新します（ラボマシンが止まっていれば起動し、終わったら止めます）"
cargo run --release --locked --quiet -p lab-4 -- upgrade-demo \
  --markdown book/src/generated/lab-4/upgrade.md

step "lab-4 reportで第5章の表と図を書きます"
cargo run --release --locked --quiet -p lab-4 -- report --generated book/src/generated
