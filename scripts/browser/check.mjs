// ビルドした本をヘッドレス Chromium で開き、読者が見るとおりに動くかを確かめます。
// 使い方: node scripts/browser/check.mjs BOOK_BUILD_DIR (scripts/test.sh が実行します)
//
// 確かめること:
// - すべてのページで JavaScript のエラーがなく、本のファイルの読み込みが失敗せず、取り込み ({{#include}}) が残っていないこと
// - 日本語が和文フォントで描画されること (Chromium が実際に使ったフォントを DevTools プロトコルで調べます)
// - 検索窓に読者が打つ日本語の語を入れると、期待するページが上位に出ること (queries.json)
// - IME で変換している間は検索せず、確定してから検索すること
// - ファイルとして開いたページ (file://) では、日本語の検索が使えないことを検索窓の下に表示すること
// スクリーンショットは target/browser-check/ に、ページごとに1枚保存します。
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath, pathToFileURL } from "node:url";
import { importTool } from "./tools.mjs";

const HERE = dirname(fileURLToPath(import.meta.url));
const CHROMIUM = process.env.KARUI_CHROMIUM ?? "/usr/bin/chromium";
// 閉じたネットワークで Chromium が外へ接続しようとして失敗しないように、通信する機能を切ります。
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
// 1つのページの読み込みや検索結果を待つ上限です。ほかのビルドと並んで遅くなっても足りるように、長めにしています。
const TIMEOUT_MS = 30_000;
// 和文フォントとみなすフォント名です。ja.css のフォント指定に並べたものに対応します。
const JAPANESE_FONT = /CJK|JP|Hiragino|Meiryo|Yu Gothic|BIZ UD|IPA|Takao|VL Gothic/i;
// 本のページに取り込みが解決されずに残ったときの形です。`\{{#include}}` のような引数のない例は除きます。
const LEFT_INCLUDE = /\{\{#(include|rustdoc_include|playground)\s+[^}]+\}\}/;

const failures = [];
// 見出しの日本語を描画したフォントごとのページ数と、止めた外部への通信ごとの回数です。
const fontPages = new Map();
const blockedRequests = new Map();

function countUp(map, key) {
  map.set(key, (map.get(key) ?? 0) + 1);
}

function fail(where, message) {
  failures.push(`${where}: ${message}`);
}

// 本の HTML ページを集めます。検索索引 (pagefind/) と、iframe で使う toc.html は除きます。
function bookPages(site, dir = site) {
  const pages = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory() && entry.name !== "pagefind") {
      pages.push(...bookPages(site, path));
    } else if (entry.isFile() && entry.name.endsWith(".html") && entry.name !== "toc.html") {
      pages.push(relative(site, path));
    }
  }
  return pages.sort();
}

// 本を公開するパスです。mdBook は output.html.site-url を 404.html の <base> に書くので、そこから読みます。
// GitHub Pages のワークフローは /リポジトリ名/ でビルドし、手元のビルドは / です。
function sitePath(site) {
  const base = readFileSync(join(site, "404.html"), "utf8").match(/<base href="([^"]+)">/);
  return base ? base[1] : "/";
}

// serve-static.mjs を子プロセスで起動します。標準入力をつないでおくと、この検査が異常終了してもサーバーは止まります。
function startServer(site) {
  const args = [join(HERE, "serve-static.mjs"), site, sitePath(site)];
  return spawn(process.execPath, args, { stdio: ["pipe", "pipe", "inherit"] });
}

// サーバーが選んだポートの URL を待ちます。
function serverUrl(child) {
  return new Promise((done, failed) => {
    const timer = setTimeout(() => failed(new Error("本を配信するサーバーが 5 秒以内に起動しませんでした。")), 5_000);
    createInterface({ input: child.stdout }).on("line", (line) => {
      if (line.startsWith("URL ")) {
        clearTimeout(timer);
        done(line.slice(4));
      }
    });
    child.on("exit", (code) => failed(new Error(`本を配信するサーバーが終了しました (終了コード ${code})。`)));
  });
}

// ページの読み込み中に起きたエラーと、失敗したリクエストを集めます。
// 失敗したリクエストは URL ごとに1回だけ記録し、Chromium がコンソールに出す同じ内容の行は数えません。
function watchPage(page, origin, problems) {
  const failedUrls = new Set();
  const failedRequest = (url, reason) => {
    if (url.startsWith(origin) && !failedUrls.has(url)) {
      failedUrls.add(url);
      problems.push(`読み込みに失敗しました: ${url} (${reason})`);
    }
  };
  page.on("pageerror", (error) => problems.push(`JavaScript のエラー: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error" && !message.text().startsWith("Failed to load resource")) {
      problems.push(`コンソールのエラー: ${message.text()}`);
    }
  });
  page.on("requestfailed", (request) => failedRequest(request.url(), request.failure()?.errorText));
  page.on("response", (response) => {
    if (response.status() >= 400) {
      failedRequest(response.url(), `HTTP ${response.status()}`);
    }
  });
}

// Chromium が本文の見出しの日本語を描画するのに実際に使ったフォントを返します。
async function renderedFonts(page) {
  const cdp = await page.context().newCDPSession(page);
  try {
    await cdp.send("DOM.enable");
    await cdp.send("CSS.enable");
    const { root } = await cdp.send("DOM.getDocument");
    for (const selector of ["main h1 a.header", "main h1"]) {
      const { nodeId } = await cdp.send("DOM.querySelector", { nodeId: root.nodeId, selector });
      if (nodeId) {
        const { fonts } = await cdp.send("CSS.getPlatformFontsForNode", { nodeId });
        return fonts;
      }
    }
    return null;
  } finally {
    await cdp.detach();
  }
}

// 1ページを開いて確かめ、スクリーンショットを撮ります。
async function checkPage(context, base, path, shots) {
  const page = await context.newPage();
  const problems = [];
  watchPage(page, new URL(base).origin, problems);
  try {
    await page.goto(new URL(path, base).href, { waitUntil: "load", timeout: TIMEOUT_MS });

    const text = await page.locator("main").innerText();
    const left = text.match(LEFT_INCLUDE);
    if (left) {
      problems.push(`取り込まれていないファイルがあります: ${left[0]}`);
    }
    const broken = await page.$$eval("main img", (images) => images.filter((i) => !i.complete || i.naturalWidth === 0).map((i) => i.src));
    for (const src of broken) {
      problems.push(`画像を表示できません: ${src}`);
    }

    if (/[\u3040-\u30ff\u4e00-\u9fff]/.test(await page.locator("main h1").first().innerText().catch(() => ""))) {
      const fonts = await renderedFonts(page);
      const japanese = (fonts ?? []).filter((f) => JAPANESE_FONT.test(f.familyName) && f.glyphCount > 0);
      if (japanese.length === 0) {
        problems.push(`見出しの日本語が和文フォントで描画されていません (使われたフォント: ${(fonts ?? []).map((f) => f.familyName).join(", ") || "なし"})。fonts-noto-cjk を入れてください。`);
      } else {
        countUp(fontPages, japanese.map((f) => f.familyName).join(", "));
      }
    }

    await page.screenshot({ path: join(shots, path.replaceAll("/", "_").replace(/\.html$/, ".png")) });
  } catch (error) {
    problems.push(`ページを確かめられません: ${error.message}`);
  } finally {
    await page.close();
  }
  for (const problem of problems) {
    fail(path, problem);
  }
}

// 検索結果の見出しに、その語の結果が出るのを待ちます。
async function waitForResults(page, query) {
  await page.waitForFunction(
    (q) => document.getElementById("mdbook-searchresults-header").innerText.includes(`「${q}」`),
    query,
    { timeout: TIMEOUT_MS },
  );
}

// 検索結果のリンク先を、本のルートからのパスで返します。本にないページを指すリンクは失敗として記録します。
async function resultPages(page, base, known, query) {
  const root = new URL(base).pathname;
  const paths = await page.$$eval("#mdbook-searchresults li > a", (links) => links.map((a) => decodeURIComponent(new URL(a.href).pathname)));
  for (const path of paths.filter((p) => !p.startsWith(root) || !known.has(p.slice(root.length)))) {
    fail("検索", `「${query}」の結果のリンク先 ${path} は本のページではありません。`);
  }
  return paths.map((p) => p.slice(root.length));
}

// 検索窓を空にしてから語を打ち (IME を使わない入力)、結果のリンク先のページを返します。
async function searchFor(page, base, known, query) {
  const bar = page.locator("#mdbook-searchbar");
  await bar.fill("");
  await bar.focus();
  await page.keyboard.insertText(query);
  await waitForResults(page, query);
  return resultPages(page, base, known, query);
}

// queries.json の語を1つずつ検索し、期待するページが上位 (within 位以内、既定は3位) に出るかを確かめます。
async function checkSearch(context, base, known, shots) {
  const queries = JSON.parse(readFileSync(join(HERE, "queries.json"), "utf8"));
  const page = await context.newPage();
  const problems = [];
  watchPage(page, new URL(base).origin, problems);
  try {
    // 本のルートより下のページから検索し、結果のリンクが本のルートを基準にしていることも確かめます。
    await page.goto(new URL("intro/index.html", base).href, { waitUntil: "load", timeout: TIMEOUT_MS });
    await page.locator("#mdbook-search-toggle").click();
    for (const { query, expect, within = 3, why } of queries) {
      const pages = await searchFor(page, base, known, query);
      const top = pages.slice(0, 3).join(", ") || "なし";
      // expect が null の語は本にない語で、結果が0件であることを確かめます。
      if (expect === null) {
        if (pages.length > 0) {
          fail("検索", `「${query}」(${why}) は本にない語なのに ${pages.length} 件見つかりました (上位: ${top})。`);
        }
        console.log(`  「${query}」: 本にない語で、0 件でした`);
        continue;
      }
      const rank = pages.indexOf(expect) + 1;
      if (rank === 0 || rank > within) {
        fail("検索", `「${query}」(${why}) で ${expect} が ${within} 位以内に出ません (上位: ${top})。`);
      }
      console.log(`  「${query}」: ${expect} は ${rank || "圏外"} 位 (${pages.length} 件中、上位: ${top})`);
    }
    await page.screenshot({ path: join(shots, "search.png") });

    // 結果を選ぶと、開いたページで mdBook が検索語を <mark> で強調します。
    await page.locator("#mdbook-searchresults li > a").first().click();
    await page.locator("main mark").first().waitFor({ timeout: TIMEOUT_MS });
    console.log(`  結果を選ぶと ${decodeURIComponent(new URL(page.url()).pathname)} が開き、検索語が強調されました。`);
  } catch (error) {
    problems.push(`検索を確かめられません: ${error.message}`);
  } finally {
    await page.close();
  }
  for (const problem of problems) {
    fail("検索", problem);
  }
}

// IME の変換を DevTools プロトコルで再現し、変換中は検索せず、確定した後に検索することを確かめます。
// 本のルートのページ (path_to_root が空) から検索し、そこでも結果のリンクが正しいことを確かめます。
async function checkComposition(context, base, known) {
  const page = await context.newPage();
  const cdp = await page.context().newCDPSession(page);
  try {
    await page.goto(new URL("index.html", base).href, { waitUntil: "load", timeout: TIMEOUT_MS });
    await page.locator("#mdbook-search-toggle").click();
    await page.locator("#mdbook-searchbar").focus();
    await cdp.send("Input.imeSetComposition", { text: "ぷろきし", selectionStart: 4, selectionEnd: 4 });
    await page.waitForTimeout(600);
    const during = await page.locator("#mdbook-searchresults-header").innerText();
    if (during !== "") {
      fail("IME", `変換中に検索しました (見出し: ${during})。`);
    }
    await cdp.send("Input.insertText", { text: "プロキシ" });
    await waitForResults(page, "プロキシ");
    const pages = await resultPages(page, base, known, "プロキシ");
    console.log(`  IME: 変換中は検索せず、「プロキシ」と確定した後に検索しました (${pages.length} 件)。`);
  } catch (error) {
    fail("IME", `変換中と確定後の検索を確かめられません: ${error.message}`);
  } finally {
    await cdp.detach().catch(() => {});
    await page.close();
  }
}

// ファイルとして開いたページ (file://) で、検索窓の下に注意書きが出て、エラーが出ないことを確かめます。
async function checkFilePage(context, site) {
  const page = await context.newPage();
  const problems = [];
  page.on("pageerror", (error) => problems.push(`JavaScript のエラー: ${error.message}`));
  try {
    await page.goto(pathToFileURL(join(site, "index.html")).href, { waitUntil: "load", timeout: TIMEOUT_MS });
    await page.locator("#mdbook-search-toggle").click();
    const note = await page.locator(".search-ja-file-note").innerText({ timeout: TIMEOUT_MS });
    console.log(`  file://: 検索窓の下に「${note.slice(0, 30)}…」と表示されます。`);

    // mdBook に付属の検索は keyup で動くので、1文字ずつ打ちます。空白で区切られた英数字の語は見つかります。
    await page.locator("#mdbook-searchbar").pressSequentially("systemd");
    const header = page.locator("#mdbook-searchresults-header");
    await page.waitForFunction(() => document.getElementById("mdbook-searchresults-header").innerText !== "", null, { timeout: TIMEOUT_MS });
    const count = await page.locator("#mdbook-searchresults li").count();
    if (count === 0) {
      problems.push(`mdBook に付属の検索で systemd が見つかりません (${await header.innerText()})。`);
    }
    console.log(`  file://: mdBook に付属の検索で「systemd」が ${count} 件見つかりました。`);
  } catch (error) {
    problems.push(`file:// の注意書きを確かめられません: ${error.message}`);
  } finally {
    await page.close();
  }
  for (const problem of problems) {
    fail("file://", problem);
  }
}

async function main() {
  if (!process.argv[2]) {
    console.error("使い方: node scripts/browser/check.mjs BOOK_BUILD_DIR");
    return 2;
  }
  const site = resolve(process.argv[2]);
  const shots = join(process.env.KARUI_ROOT ?? resolve(HERE, "../.."), "target", "browser-check");
  rmSync(shots, { recursive: true, force: true });
  mkdirSync(shots, { recursive: true });

  const started = Date.now();
  const { chromium } = await importTool("playwright-core");
  const profile = mkdtempSync(join(tmpdir(), "karui-chromium-"));
  const server = startServer(site);
  // Ctrl+C や kill で止められたときも、サーバーを pid で止め、Chromium のプロファイルを消します。
  // Chromium は playwright-core が同じシグナルで止めます。
  const stop = (code) => {
    server.kill("SIGTERM");
    rmSync(profile, { recursive: true, force: true });
    process.exit(code);
  };
  process.once("SIGINT", () => stop(130));
  process.once("SIGTERM", () => stop(143));
  let context = null;
  try {
    const base = await serverUrl(server);
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1280, height: 900 },
      locale: "ja-JP",
    });
    // 本の外への通信は閉じたネットワークでは届かないので止め、何を読もうとしたかを記録します。
    await context.route((url) => !url.href.startsWith(new URL(base).origin) && url.protocol !== "file:", (route) => {
      countUp(blockedRequests, route.request().url());
      return route.abort();
    });

    const pages = bookPages(site);
    console.log(`ページを確かめます: ${pages.length} ページ (${base})`);
    for (const path of pages) {
      await checkPage(context, base, path, shots);
    }
    console.log("検索を確かめます:");
    const known = new Set(pages);
    if (existsSync(join(site, "pagefind", "pagefind.js"))) {
      await checkSearch(context, base, known, shots);
      await checkComposition(context, base, known);
    } else {
      fail("検索", `${join(site, "pagefind")} に検索索引がありません。./scripts/book.sh build でビルドしてください。`);
    }
    await checkFilePage(context, site);
  } finally {
    await context?.close().catch(() => {});
    server.kill("SIGTERM");
    rmSync(profile, { recursive: true, force: true });
  }

  if (fontPages.size === 0) {
    fail("フォント", "日本語の見出しがあるページが1つもなく、和文フォントを確かめられませんでした。");
  }
  for (const [font, count] of fontPages) {
    console.log(`見出しの日本語を描画したフォント: ${font} (${count} ページ)`);
  }
  for (const [url, count] of blockedRequests) {
    console.log(`外部への通信を止めました: ${url} (${count} 回)`);
  }
  // mdBook は Rust のコードブロックがあるページで、Playground で実行できるクレートを問い合わせます。
  if ([...blockedRequests.keys()].some((url) => url.startsWith("https://play.rust-lang.org/"))) {
    console.log("  play.rust-lang.org への問い合わせは、book.toml の [output.html.playground] に runnable = false を書くと止まります。");
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(`スクリーンショット: ${shots}`);
  if (failures.length > 0) {
    console.error(`ブラウザでの検査に失敗しました (${failures.length} 件、${seconds} 秒):`);
    for (const failure of failures) {
      console.error(`  ${failure}`);
    }
    return 1;
  }
  console.log(`ブラウザでの検査が通りました (${seconds} 秒)。`);
  return 0;
}

try {
  process.exitCode = await main();
} catch (error) {
  console.error(`エラー: ブラウザでの検査を実行できません: ${error.message}`);
  process.exitCode = 1;
}
