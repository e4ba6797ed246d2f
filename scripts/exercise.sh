#!/usr/bin/env bash
# 演習（labs/lab-N/exercises/K/）を始める、やり直す、解答に戻す、確かめるためのスクリプトです。
#
#   ./scripts/exercise.sh list             演習の一覧を表示します
#   ./scripts/exercise.sh start N K        第N章の演習Kを始めます（解答のファイルを出発点のコードで上書きします）
#   ./scripts/exercise.sh reset N K        出発点のコードに戻します（今のコードは.karui/backup/に残します）
#   ./scripts/exercise.sh solution N K     解答のコードに戻します（今のコードは.karui/backup/に残します）
#   ./scripts/exercise.sh check N K        演習のテストだけを実行します
#   ./scripts/exercise.sh verify           一時コピーの中で、どの演習も出発点で失敗し解答で通ることを確かめます（CI用）
set -euo pipefail
source "$(dirname "$0")/lib.sh"

usage() {
  sed -n '2,10s/^# \{0,1\}//p' "$0" >&2
  exit 2
}

# exercise.toml から key = "value" の値を読みます。
read_field() {
  local toml=$1 key=$2 value
  value=$(sed -n "s/^$key[[:space:]]*=[[:space:]]*\"\(.*\)\"[[:space:]]*$/\1/p" "$toml" | head -n 1)
  [[ -n $value ]] || die "$toml に $key がありません。$key = \"…\" の行を書いてください。"
  printf '%s' "$value"
}

# 演習のフォルダを探し、変数 dir, lab, file, starter, tests を設定します。
locate() {
  local chapter=${1:-} number=${2:-}
  [[ $chapter =~ ^[0-9]+$ && $number =~ ^[0-9]+$ ]] || usage
  lab=lab-$chapter
  dir=$root/labs/$lab/exercises/$number
  [[ -f $dir/exercise.toml ]] || die "第${chapter}章の演習${number}が見つかりません ($dir/exercise.toml)。./scripts/exercise.sh list で一覧を確かめてください。"
  file=$root/labs/$lab/$(read_field "$dir/exercise.toml" file)
  starter=$dir/$(read_field "$dir/exercise.toml" starter)
  tests=$(read_field "$dir/exercise.toml" tests)
  pristine=$root/.karui/exercises/$lab-$number.solution
}

# 今のファイルを .karui/backup/ に残します。出発点や解答と同じ内容なら残しません。
back_up() {
  if cmp -s "$file" "$starter" || { [[ -f $pristine ]] && cmp -s "$file" "$pristine"; }; then
    return
  fi
  local backup
  backup=$root/.karui/backup/$(date +%Y%m%d-%H%M%S)-$lab-$(basename "$file")
  mkdir -p "$(dirname "$backup")"
  cp "$file" "$backup"
  echo "今のコードを $backup に残しました。"
}

start() {
  locate "$@"
  mkdir -p "$(dirname "$pristine")"
  # 解答を保存します。start を繰り返しても書きかけのコードで上書きしないよう、写しがないときだけです。
  if [[ ! -f $pristine ]] && ! cmp -s "$file" "$starter"; then
    cp "$file" "$pristine"
  fi
  back_up
  cp "$starter" "$file"
  echo "演習を始めました: $(read_field "$dir/exercise.toml" title)"
  echo "${file#"$root"/} を出発点のコードに置き換えました。"
  echo "確かめるには: ./scripts/exercise.sh check $1 $2"
  echo "(cargo test -p $lab を実行すると、この演習の関数を使う他のテストも失敗します。)"
}

reset() {
  locate "$@"
  back_up
  cp "$starter" "$file"
  echo "${file#"$root"/} を出発点のコードに戻しました。"
}

# 出発点のコードで cargo test を実行すると、insta が .snap.new を書くことがあります。解答に戻したら不要なので消します。
remove_pending_snapshots() {
  local pending
  pending=$(find "$root/labs/$lab" -name '*.snap.new' -o -name '*.pending-snap')
  [[ -n $pending ]] || return 0
  xargs rm -f <<<"$pending"
  echo "演習中のテストが書いた .snap.new を消しました。"
}

solution() {
  locate "$@"
  back_up
  # start で保存した写しを戻して消します (次の start が git pull 後の解答を保存し直せるように)。
  # 写しがなければ、コミット済みの版を使います。
  if [[ -f $pristine ]]; then
    cp "$pristine" "$file"
    rm "$pristine"
  elif git -C "$root" cat-file -e "HEAD:${file#"$root"/}" 2>/dev/null; then
    git -C "$root" show "HEAD:${file#"$root"/}" >"$file"
  else
    die "解答を取り出せません。${file#"$root"/} をリポジトリから取り直してください。"
  fi
  remove_pending_snapshots
  echo "${file#"$root"/} を解答のコードに戻しました。"
}

check() {
  locate "$@"
  cd "$root"
  cargo test -p "$lab" "$tests"
}

list() {
  local toml
  for toml in "$root"/labs/*/exercises/*/exercise.toml; do
    [[ -f $toml ]] || continue
    local number lab_dir
    number=$(basename "$(dirname "$toml")")
    lab_dir=$(basename "$(dirname "$(dirname "$(dirname "$toml")")")")
    printf '第%s章 演習%s  %s\n' "${lab_dir#lab-}" "$number" "$(read_field "$toml" title)"
  done
}

# 演習のテストを実行し、通ったテストの数を表示します。失敗すれば 1 を返します。
run_tests() {
  local log=$1
  CARGO_TARGET_DIR=$target_dir cargo test --quiet -p "$lab" "$tests" >"$log" 2>&1
}

passed_count() {
  awk '/^test result:/ { for (i = 1; i <= NF; i++) if ($i == "passed;") sum += $(i - 1) } END { print sum + 0 }' "$1"
}

verify() {
  local failures=0 toml
  # trap は関数を抜けた後に動くので、一時コピーの場所はグローバル変数に置きます。
  copy=$(mktemp -d /var/tmp/karui-exercises.XXXXXX)
  trap 'rm -rf "$copy"' EXIT

  # 追跡中と未追跡（無視対象を除く）のファイルだけを写します。依存のビルドは元の target/ を使い回します。
  # 環境変数で渡すのは、テストの中で karui-svc や hello-svc をビルドする cargo にも同じ場所を使わせるためです。
  target_dir=${CARGO_TARGET_DIR:-$KARUI_ROOT/target}
  # ファイルの一覧は tar に標準入力で渡します（xargs だと tar が複数回に分かれ、アーカイブが途中で切れます）。
  (cd "$KARUI_ROOT" && git ls-files -co --exclude-standard -z | tar --null -T - -cf -) | tar -xf - -C "$copy"
  root=$copy

  for toml in "$copy"/labs/*/exercises/*/exercise.toml; do
    [[ -f $toml ]] || continue
    local number chapter
    number=$(basename "$(dirname "$toml")")
    chapter=$(basename "$(dirname "$(dirname "$(dirname "$toml")")")")
    chapter=${chapter#lab-}
    locate "$chapter" "$number"
    cp "$file" "$copy/solution.tmp"

    cp "$starter" "$file"
    (cd "$copy" && CARGO_TARGET_DIR=$target_dir cargo test --quiet --no-run -p "$lab" >"$copy/log" 2>&1) || {
      echo "失敗: 第${chapter}章 演習${number} の出発点のコードがコンパイルできません。"
      cat "$copy/log"
      failures=$((failures + 1))
      cp "$copy/solution.tmp" "$file"
      continue
    }
    if (cd "$copy" && run_tests "$copy/log"); then
      echo "失敗: 第${chapter}章 演習${number} のテスト ($tests) が出発点のコードで通ってしまいます。"
      failures=$((failures + 1))
    fi

    cp "$copy/solution.tmp" "$file"
    if ! (cd "$copy" && run_tests "$copy/log"); then
      echo "失敗: 第${chapter}章 演習${number} のテスト ($tests) が解答のコードで通りません。"
      cat "$copy/log"
      failures=$((failures + 1))
    elif [[ $(passed_count "$copy/log") -eq 0 ]]; then
      echo "失敗: 第${chapter}章 演習${number} のフィルタ $tests に合うテストがありません。"
      failures=$((failures + 1))
    else
      echo "第${chapter}章 演習${number}: 出発点で失敗し、解答で $(passed_count "$copy/log") 件のテストが通りました。"
    fi
  done

  [[ $failures -eq 0 ]] || die "$failures 件の演習に問題があります。"
}

root=$KARUI_ROOT
case ${1:-} in
  list) list ;;
  start | reset | solution | check)
    command=$1
    shift
    "$command" "$@"
    ;;
  verify) verify ;;
  "") usage ;;
  *)
    echo "エラー: サブコマンド $1 はありません。" >&2
    usage
    ;;
esac
