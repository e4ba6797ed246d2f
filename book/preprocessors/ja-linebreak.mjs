// mdBook の前処理: 日本語の段落の中の改行を取り除きます。
//
// 本文は「1行に1文」で書いています (差分が読みやすく、textlint が文ごとに検査できるためです)。
// ところが HTML では段落の中の改行が空白になり、Chromium などは「。」の後に空白を描きます。
// そこで、日本語の文字で終わる行とその次の行が同じ段落に属するときだけ、2行をつなぎます。
// コードブロック、表、リスト、見出し、引用、HTML の行には触れません。
import { readFileSync } from "node:fs";

// `command supports <renderer>`: どの出力形式にも使えます。
if (process.argv[2] === "supports") {
  process.exit(0);
}

const japanese = /[\u3000-\u303f\u3040-\u30ff\u3400-\u9fff\uff00-\uffef]$/u;
const blockStart = /^(\s{4}|\s*([-*+]\s|[>|#<]|\d+\.\s|```|~~~|\{\{#))/;

/** 段落の中で、日本語の文字で終わる行の後の改行を取り除きます。 */
export function joinJapaneseLines(markdown) {
  const lines = markdown.split("\n");
  const out = [];
  let fenced = false;
  let joinable = false;
  for (const line of lines) {
    if (/^\s*(```|~~~)/.test(line)) {
      fenced = !fenced;
      out.push(line);
      joinable = false;
      continue;
    }
    const plain = !fenced && line.trim() !== "" && !blockStart.test(line);
    if (joinable && plain) {
      out[out.length - 1] += line;
    } else {
      out.push(line);
    }
    joinable = plain && japanese.test(out[out.length - 1]);
  }
  return out.join("\n");
}

/** 本の構造をたどり、各章の content を書き換えます (mdBook 0.4 の sections と 0.5 の items の両方)。 */
function visit(node) {
  if (Array.isArray(node)) {
    node.forEach(visit);
  } else if (node && typeof node === "object") {
    if (node.Chapter && typeof node.Chapter.content === "string") {
      node.Chapter.content = joinJapaneseLines(node.Chapter.content);
    }
    Object.values(node).forEach(visit);
  }
}

const [, book] = JSON.parse(readFileSync(0, "utf8"));
visit(book);
process.stdout.write(JSON.stringify(book));
