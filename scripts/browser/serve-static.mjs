// ビルドした本を 127.0.0.1 で、BASE_PATH (既定は /) の下に置いて配信します。
// 使い方: node scripts/browser/serve-static.mjs BOOK_BUILD_DIR [BASE_PATH]
// ポートは OS に選ばせ、決まったら標準出力に「URL http://127.0.0.1:番号/BASE_PATH」と1行書きます。
// check.mjs がこれを子プロセスとして起動し、終わるときに pid で止めます (SIGTERM)。
import { createReadStream, existsSync, statSync } from "node:fs";
import { createServer } from "node:http";
import { extname, join, normalize, resolve, sep } from "node:path";

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".ico": "image/x-icon",
  ".woff": "font/woff",
  ".woff2": "font/woff2",
  ".ttf": "font/ttf",
  ".wasm": "application/wasm",
};

// URL のパスを、配信するディレクトリの中のファイルに対応させます。外に出るパス、壊れたパス、見つからないパスは null です。
function fileFor(site, base, pathname) {
  if (!pathname.startsWith(base)) {
    return null;
  }
  let relativePath;
  try {
    relativePath = decodeURIComponent(pathname.slice(base.length));
  } catch {
    return null;
  }
  let file = normalize(join(site, relativePath));
  if (file !== site && !file.startsWith(site + sep)) {
    return null;
  }
  if (existsSync(file) && statSync(file).isDirectory()) {
    file = join(file, "index.html");
  }
  return existsSync(file) && statSync(file).isFile() ? file : null;
}

function serve(site, base) {
  const server = createServer((request, response) => {
    const { pathname } = new URL(request.url, "http://127.0.0.1");
    const file = fileFor(site, base, pathname);
    if (file === null) {
      response.writeHead(404, { "content-type": "text/plain; charset=utf-8" });
      response.end(`見つかりません: ${pathname}\n`);
      return;
    }
    response.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" });
    createReadStream(file).pipe(response);
  });
  server.listen(0, "127.0.0.1", () => {
    console.log(`URL http://127.0.0.1:${server.address().port}${base}`);
  });
  process.on("SIGTERM", () => process.exit(0));
  // 起動した検査が終わって標準入力が閉じたら、止められなかったときのために自分で終わります。
  process.stdin.on("close", () => process.exit(0));
  process.stdin.resume();
}

const site = process.argv[2];
if (!site || !existsSync(join(site, "index.html"))) {
  console.error(`${site ?? "(指定なし)"} にビルドした本がありません。先に ./scripts/book.sh build を実行してください。`);
  process.exit(2);
}
const base = process.argv[3] ?? "/";
if (!base.startsWith("/") || !base.endsWith("/")) {
  console.error(`配信するパス ${base} は / で始まり / で終わる必要があります (例: /karui/)。`);
  process.exit(2);
}
serve(resolve(site), base);
