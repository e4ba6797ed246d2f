#!/usr/bin/env bash
# 本をビルドする (build) か、ビルドして http://127.0.0.1:3000 で配信します (serve)。
# どちらも、本の検索窓が使う日本語の検索索引 (Pagefind) を book/build/pagefind/ に作ります。
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
build_dir=$KARUI_ROOT/book/build

# 日本語を単語に分けた検索索引 (Pagefind) を build_dir/pagefind/ に作ります。本の検索窓がこれを使います。
index_search() {
  node "$KARUI_ROOT/scripts/browser/search-index.mjs" "$build_dir"
}

# mdbook serve は変更のたびに build_dir を作り直し、索引も消します。本が索引より新しくなったら作り直します。
# 作り直しの途中のファイルを読まないように、それに気づいてから1秒待ちます。
# 失敗したときは、同じビルドに対しては繰り返さず、次にビルドし直されるのを待ちます。
reindex_on_rebuild() {
  local built failed_for=""
  while sleep 1; do
    [[ -f $build_dir/index.html ]] || continue
    [[ $build_dir/pagefind/pagefind-entry.json -nt $build_dir/index.html ]] && continue
    built=$(stat -c %y "$build_dir/index.html" 2>/dev/null) || continue
    [[ $built != "$failed_for" ]] || continue
    sleep 1
    if ! index_search >/dev/null; then
      failed_for=$built
      echo "検索索引を作り直せませんでした。原稿を保存し直すと、もう一度作ります。" >&2
    fi
  done
}

case $command in
  build)
    "$(mdbook_bin)" build "$KARUI_ROOT/book"
    index_search
    echo "本をビルドしました: $build_dir/index.html"
    ;;
  serve)
    "$(mdbook_bin)" build "$KARUI_ROOT/book"
    index_search
    # 索引を作り直すループと mdbook serve は、このスクリプトが終わるとき (Ctrl+C や kill でも) に pid で止めます。
    reindex_on_rebuild &
    reindexer=$!
    "$(mdbook_bin)" serve "$KARUI_ROOT/book" --hostname 127.0.0.1 --port "$port" &
    server=$!
    trap 'kill "$reindexer" "$server" 2>/dev/null || true' EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    echo "本を http://127.0.0.1:$port で配信します。止めるには Ctrl+C を押してください。"
    wait "$server"
    ;;
  *) usage ;;
esac
