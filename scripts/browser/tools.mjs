// scripts/setup.sh が $KARUI_TOOLS/browser に入れたパッケージを読み込みます。
import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const ENTRIES = {
  pagefind: "pagefind/lib/index.js",
  "playwright-core": "playwright-core/index.mjs",
};

// ツールの置き場所です。scripts/lib.sh の KARUI_TOOLS と同じ規則で決めます。
function toolsDir() {
  const { KARUI_TOOLS, KARUI_CACHE, XDG_CACHE_HOME } = process.env;
  return KARUI_TOOLS || join(KARUI_CACHE || join(XDG_CACHE_HOME || join(homedir(), ".cache"), "karui"), "tools");
}

// パッケージ名から、入れた場所のモジュールを import します。
export async function importTool(name) {
  const tools = toolsDir();
  const entry = join(tools, "browser", "node_modules", ENTRIES[name]);
  if (!existsSync(entry)) {
    throw new Error(`${name} が ${entry} にありません。./scripts/setup.sh を実行してください。`);
  }
  return import(pathToFileURL(entry).href);
}
