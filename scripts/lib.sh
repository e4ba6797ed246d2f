# scripts/*.sh が共有する設定と関数です。source して使います。
# ツールのバージョンはここだけで固定します。

MDBOOK_VERSION=0.5.4
CARGO_INSTA_VERSION=1.49.0

KARUI_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
KARUI_CACHE=${KARUI_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/karui}
KARUI_TOOLS=$KARUI_CACHE/tools
export KARUI_ROOT KARUI_CACHE KARUI_TOOLS
export PATH="$KARUI_TOOLS/bin:$HOME/.cargo/bin:$PATH"

# 見出しを1行表示します。
step() {
  printf '\n==> %s\n' "$*"
}

# エラーを表示して終了します。
die() {
  printf 'エラー: %s\n' "$*" >&2
  exit 1
}

# ツールのインストール先にある mdbook のパスです。
mdbook_bin() {
  printf '%s/bin/mdbook' "$KARUI_TOOLS"
}

# 本と README.ja.md の日本語を検査します（設定は .textlintrc.yml、対象外は .textlintignore）。
run_textlint() {
  (cd "$KARUI_ROOT" && "$KARUI_TOOLS/textlint/node_modules/.bin/textlint" --config .textlintrc.yml README.ja.md book/src)
}
