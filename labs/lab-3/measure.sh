#!/usr/bin/env bash
# lab-3 のベンチマークを release ビルドで実行し、book/src/generated/lab-3/ の表 (bench.md、node-sqlite.md) と
# 依存関係の出力 (cargo-tree-rusqlite.txt、crate-count.txt、cargo-lock-sqlite.txt) を書き直します。
# node:sqlite と比べるため、Node 22 を npm の node パッケージから ~/.cache/karui/node に入れます。
# npm がないか取得に失敗したときは、node:sqlite の行を除いて計測します。
set -euo pipefail

lab_dir=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$lab_dir/../.." && pwd)
cache=${KARUI_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/karui}
out_dir=$root/book/src/generated/lab-3
mkdir -p "$out_dir"

# 依存関係の監査に使う出力です。本の「bundled と依存関係の費用」が取り込みます。
(
  cd "$root"
  cargo tree --locked -p rusqlite -e normal,build > "$out_dir/cargo-tree-rusqlite.txt"
  cargo tree --locked -p lab-3 -e normal --prefix none --no-dedupe | sed 's/ (.*//; s/ v[0-9].*//' | sort -u | grep -vx 'lab-3' | wc -l > "$out_dir/crate-count.txt"
  awk '/^\[\[package\]\]/{block=""} {block=block $0 "\n"} /^name = "(rusqlite|libsqlite3-sys)"/{keep=1} /^$/{if(keep) printf "%s", block; keep=0; block=""}' Cargo.lock > "$out_dir/cargo-lock-sqlite.txt"
)

# node:sqlite は Node 22.5 で入りました。npm の node@22 パッケージがその Node のバイナリを持っています。
node_args=()
node_prefix=$cache/node
node_bin=$node_prefix/node_modules/node/bin/node
if [[ ! -x $node_bin ]] && command -v npm >/dev/null; then
  echo "Node 22 を $node_prefix に入れます (npm install node@22)。"
  npm install --prefix "$node_prefix" --no-audit --no-fund node@22 >/dev/null || echo "Node 22 を入れられませんでした。node:sqlite の比較を省きます。"
fi
if [[ -x $node_bin ]]; then
  node_args=(--node "$node_bin" --node-script "$lab_dir/bench/node-sqlite.mjs")
fi

# 計測用のファイルは tmpfs ではなく、リポジトリと同じディスクに置きます (ファイルシステムは表に出ます)。
bench_dir=$root/target/lab-3-bench
cargo run --release --quiet -p lab-3 -- bench --dir "$bench_dir" --out "$out_dir" "${node_args[@]}"
echo "書きました: $out_dir"
