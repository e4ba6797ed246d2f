#!/usr/bin/env bash
# 本をビルドする (build) か、ビルドして http://127.0.0.1:3000 で配信します (serve)。
# 使い方: ./scripts/book.sh build | serve [--port N]
set -euo pipefail
source "$(dirname "$0")/lib.sh"

usage() {
  echo "使い方: ./scripts/book.sh build | serve [--port N]" >&2
  exit 2
}

command=${1:-serve}
shift || true
port=3000
while [[ $# -gt 0 ]]; do
  case $1 in
    --port)
      [[ ${2:-} =~ ^[0-9]+$ ]] || die "--port にはポート番号を指定してください (例: --port 3001)。"
      port=$2
      shift 2
      ;;
    *) usage ;;
  esac
done

"$KARUI_ROOT/scripts/setup.sh" >/dev/null

# 計測した表やキャプチャした出力は book/src/generated/ とスナップショットにコミット済みです。
# ここではそれを取り込むだけなので、root も計測の実行も要りません。
case $command in
  build)
    "$(mdbook_bin)" build "$KARUI_ROOT/book"
    echo "本をビルドしました: $KARUI_ROOT/book/build/index.html"
    ;;
  serve)
    echo "本を http://127.0.0.1:$port で配信します。止めるには Ctrl+C を押してください。"
    exec "$(mdbook_bin)" serve "$KARUI_ROOT/book" --hostname 127.0.0.1 --port "$port"
    ;;
  *) usage ;;
esac
