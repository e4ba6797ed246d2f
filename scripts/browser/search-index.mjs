// 本のビルド結果から、日本語を単語に分けた Pagefind の検索索引を作ります。
// 使い方: node scripts/browser/search-index.mjs BOOK_BUILD_DIR
// 索引は BOOK_BUILD_DIR/pagefind/ に書きます。本の検索窓 (theme/search-ja.js) がそれを読みます。
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { importTool } from "./tools.mjs";

// 章ではないページです。print.html は全章を1ページにまとめたもので、検索結果に重複して出るので除きます。
const SKIPPED = new Set(["print.html", "toc.html", "404.html"]);

// サイトの HTML ファイルを、索引の出力先を除いて集めます。
function htmlFiles(site, dir = site) {
  const files = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory() && entry.name !== "pagefind") {
      files.push(...htmlFiles(site, path));
    } else if (entry.isFile() && entry.name.endsWith(".html")) {
      files.push(relative(site, path));
    }
  }
  return files.filter((file) => !SKIPPED.has(file)).sort();
}

// Pagefind のエラーの一覧を、日本語の説明をつけて投げます。
function failOn(errors, step) {
  if (errors.length > 0) {
    throw new Error(`${step}に失敗しました: ${errors.join("; ")}`);
  }
}

const site = process.argv[2];
if (!site) {
  console.error("使い方: node scripts/browser/search-index.mjs BOOK_BUILD_DIR");
  process.exit(2);
}

// 索引を作って BOOK_BUILD_DIR/pagefind/ に書き、索引にしたページの数を返します。
async function buildIndex(pagefind) {
  // 本文は <main> だけを索引にし、サイドバーやメニューは入れません。言語は日本語に固定します。
  const created = await pagefind.createIndex({ rootSelector: "main", forceLanguage: "ja", keepIndexUrl: true });
  failOn(created.errors, "検索索引の作成");

  const files = htmlFiles(site);
  for (const sourcePath of files) {
    const added = await created.index.addHTMLFile({ sourcePath, content: readFileSync(join(site, sourcePath), "utf8") });
    failOn(added.errors, `${sourcePath} の索引づけ`);
  }

  const written = await created.index.writeFiles({ outputPath: join(site, "pagefind") });
  failOn(written.errors, "検索索引の書き出し");
  return files.length;
}

try {
  const pagefind = await importTool("pagefind");
  try {
    const count = await buildIndex(pagefind);
    console.log(`検索索引を作りました: ${count} ページ、${join(site, "pagefind")}`);
  } finally {
    await pagefind.close();
  }
} catch (error) {
  console.error(`エラー: 検索索引を作れません: ${error.message}`);
  process.exitCode = 1;
}
