#!/usr/bin/env bash
# ラボマシン (systemd-nspawn で起動する Debian 12) を操作します。
# 使い方: scripts/lab-machine.sh up|down|status|shell [コマンド...]
# 実装は lab-1 の `machine` モジュールにあり、このスクリプトは `lab-1 machine` を呼ぶだけです。
set -euo pipefail

cd "$(dirname "$0")/.."

if [[ $# -lt 1 ]]; then
  echo "使い方: scripts/lab-machine.sh up|down|status|shell [コマンド...]" >&2
  exit 2
fi

# sudoはPATHをsecure_pathに置き換えるので、rustupのcargoが見えなくなります。その場合は実行し直すコマンドを示します。
if ! command -v cargo >/dev/null 2>&1; then
  echo "エラー: cargoが見つかりません（PATH=$PATH）。sudoで実行するとrustupのPATHが失われます。次のように実行してください: sudo -E env \"PATH=\$PATH\" ./scripts/lab-machine.sh $*" >&2
  exit 1
fi

exec cargo run -q -p lab-1 --bin lab-1 -- machine "$@"
