#!/usr/bin/env bash
# 新しい Debian 12 マシンに、すべてのラボと本のビルドに必要なものを入れます。
# 何度実行しても同じ結果になります。入っているものは入れ直しません。
set -euo pipefail
source "$(dirname "$0")/lib.sh"

# 本のブラウザ検査 (scripts/browser/check.mjs): chromium と日本語フォント (fonts-noto-cjk)。
# lab-1 と lab-4: ポータブルイメージ (squashfs)、ラボマシン (debootstrap と systemd-nspawn)、D-Bus。
# lab-1 と lab-4 の静的バイナリ: musl-tools。rusqlite の bundled と wasmtime: gcc と pkg-config。
APT_PACKAGES=(
  ca-certificates curl git gcc pkg-config
  squashfs-tools systemd-container debootstrap dbus
  musl-tools util-linux iproute2
  chromium fonts-noto-cjk
)

install_debian_packages() {
  local missing=() package
  for package in "${APT_PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed'; then
      missing+=("$package")
    fi
  done
  if [[ ${#missing[@]} -eq 0 ]]; then
    echo "Debian パッケージはそろっています。"
    return
  fi
  if [[ $(id -u) -ne 0 ]]; then
    die "Debian パッケージ ${missing[*]} が入っていません。root で入れる必要があります。sudo ./scripts/setup.sh を実行してください。"
  fi
  step "Debian パッケージを入れます: ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

install_rust_targets() {
  command -v rustup >/dev/null || die "rustup が見つかりません。https://rustup.rs の手順で入れてから、もう一度実行してください。"

  # rust-toolchain.toml が固定したツールチェーンを、無ければここで入れます。
  (cd "$KARUI_ROOT" && rustup show active-toolchain >/dev/null 2>&1) ||
    (cd "$KARUI_ROOT" && rustup toolchain install) ||
    die "rust-toolchain.toml のツールチェーンを入れられません。ネットワークかプロキシ (HTTPS_PROXY) の設定を確かめてください。"

  # musl のターゲットはホストのアーキテクチャに合わせます (x86_64 か aarch64)。
  local targets=(wasm32-wasip2 "$(uname -m)-unknown-linux-musl") installed
  installed=$(cd "$KARUI_ROOT" && rustup target list --installed)
  for target in "${targets[@]}"; do
    if ! grep -qx "$target" <<<"$installed"; then
      step "Rust のターゲット $target を入れます"
      (cd "$KARUI_ROOT" && rustup target add "$target")
    fi
  done
  echo "Rust のツールチェーンとターゲットはそろっています。"
}

# crates.io のツールを、固定したバージョンで $KARUI_TOOLS に入れます。入っていれば何もしません。
# 使い方: install_tool CRATE VERSION BINARY
install_tool() {
  local crate=$1 version=$2 binary=$3 current=""
  if [[ -x $KARUI_TOOLS/bin/$binary ]]; then
    current=$("$KARUI_TOOLS/bin/$binary" --version 2>/dev/null | grep -oE '[0-9]+\.[0-9]+\.[0-9]+' | head -n 1)
  fi
  if [[ $current == "$version" ]]; then
    echo "$crate $version は $KARUI_TOOLS にあります。"
    return
  fi
  step "$crate $version を $KARUI_TOOLS に入れます (初回はビルドに数分かかります)"
  cargo install --locked --quiet --root "$KARUI_TOOLS" "$crate@$version"
}

# 日本語の文章の検査 (textlint) に使う Node.js と npm です。Debian 12 の nodejs (18) で動く版に固定しています。
install_node() {
  if command -v node >/dev/null && command -v npm >/dev/null; then
    return
  fi
  [[ $(id -u) -eq 0 ]] || die "Node.js と npm が入っていません。sudo ./scripts/setup.sh を実行してください。"
  step "Node.js と npm を入れます"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nodejs npm
}

# textlint とその規則を scripts/textlint/package-lock.json のとおりに $KARUI_TOOLS/textlint に入れます。
install_textlint() {
  local source=$KARUI_ROOT/scripts/textlint target=$KARUI_TOOLS/textlint
  if cmp -s "$source/package-lock.json" "$target/package-lock.json" && [[ -x $target/node_modules/.bin/textlint ]]; then
    echo "textlint は $target にあります。"
    return
  fi
  step "textlint を $target に入れます"
  mkdir -p "$target"
  cp "$source/package.json" "$source/package-lock.json" "$target/"
  (cd "$target" && npm ci --no-audit --no-fund --loglevel=error)
}

# 検索索引を作る Pagefind とブラウザ検査の playwright-core を scripts/browser/package-lock.json のとおりに
# $KARUI_TOOLS/browser に入れます。playwright-core はブラウザをダウンロードせず、Debian の chromium を動かします。
# playwright-core は Debian 12 の nodejs (18) で動く最後の系列 (1.61) に固定しています。1.62 からは Node.js 20 が要ります。
install_browser_tools() {
  local source=$KARUI_ROOT/scripts/browser target=$KARUI_TOOLS/browser
  if cmp -s "$source/package-lock.json" "$target/package-lock.json" && [[ -d $target/node_modules/pagefind ]]; then
    echo "Pagefind と playwright-core は $target にあります。"
    return
  fi
  step "Pagefind と playwright-core を $target に入れます"
  mkdir -p "$target"
  cp "$source/package.json" "$source/package-lock.json" "$target/"
  (cd "$target" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
}

install_debian_packages
install_node
install_rust_targets
install_tool mdbook "$MDBOOK_VERSION" mdbook
install_tool cargo-insta "$CARGO_INSTA_VERSION" cargo-insta
install_textlint
install_browser_tools
