#!/usr/bin/env bash
# CI が実行するすべての検査です: 整形、clippy、全テスト (root とラボマシンが要るものを含む)、本のビルドと検査、演習。
# 使い方: ./scripts/test.sh
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$KARUI_ROOT"

step "セットアップ"
./scripts/setup.sh

step "cargo fmt --check"
cargo fmt --all --check

step "cargo clippy"
cargo clippy --workspace --all-targets --quiet -- -D warnings

# lab-1 のテストは systemd を PID 1 とするラボマシンを使います。ここで起動し、終了時に必ず止めます。
if [[ -x scripts/lab-machine.sh ]]; then
  step "ラボマシンを起動します"
  trap './scripts/lab-machine.sh down' EXIT
  ./scripts/lab-machine.sh up
fi

step "cargo test --workspace"
KARUI_MDBOOK=$(mdbook_bin) cargo test --workspace --no-fail-fast

step "日本語の検査 (textlint)"
run_textlint

step "本のビルド"
./scripts/book.sh build

# ビルドした本を 127.0.0.1 で配信し、ヘッドレス Chromium で全ページと日本語の検索を確かめます。
# スクリーンショットは target/browser-check/ に残ります。
step "ブラウザでの検査 (Chromium)"
node scripts/browser/check.mjs book/build

step "演習の検証"
./scripts/exercise.sh verify

leftovers=$(git ls-files --others --exclude-standard | grep -E '\.snap\.new$|\.pending-snap$' || true)
[[ -z $leftovers ]] || die "確認していないスナップショットがあります: $leftovers。cargo insta review で確かめてください。"

step "すべての検査が通りました。"
