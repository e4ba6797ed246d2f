#!/usr/bin/env bash
# lab-2のベンチマークです。起動、スループット、サイズを計測し、
# book/src/generated/lab-2/にMarkdownの表を書きます。テストではありません。
# scripts/measure.shから呼ばれます。単独でも実行できます: bash labs/lab-2/measure.sh
set -euo pipefail
source "$(dirname "$0")/../../scripts/lib.sh"

# 比較に使うwasmtime-cliの版です。lab-2が組み込むwasmtime (Cargo.lock) と同じ版にします。
WASMTIME_CLI_VERSION=48.0.8

cd "$KARUI_ROOT"

step "wasmtime-cli $WASMTIME_CLI_VERSIONを用意します（ベンチマーク専用、初回はビルドに時間がかかります）"
wasmtime=$KARUI_TOOLS/bin/wasmtime
if [[ ! -x $wasmtime ]] || ! "$wasmtime" --version | grep -q "$WASMTIME_CLI_VERSION"; then
  cargo install --locked --root "$KARUI_TOOLS" "wasmtime-cli@$WASMTIME_CLI_VERSION"
fi

step "同じ応答を返す静的ネイティブバイナリ (musl) をビルドします"
target=$(uname -m)-unknown-linux-musl
native_dir=$KARUI_CACHE/target-native-health
cargo build --release --locked --target "$target" \
  --manifest-path labs/lab-2/native-health/Cargo.toml --target-dir "$native_dir"
native_bin=$native_dir/$target/release/native-health

step "lab-2 benchをreleaseで実行します"
cargo run --release -p lab-2 -- bench \
  --out book/src/generated/lab-2 \
  --wasmtime-cli "$wasmtime" \
  --native-bin "$native_bin"
