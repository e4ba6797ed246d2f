// node:sqlite で lab-3 のベンチマークと同じ挿入を行い、挿入にかかった時間 (ナノ秒) を 1 行で出力します。
// 使い方: node node-sqlite.mjs DB_PATH ROWS BATCH JOURNAL_MODE SYNCHRONOUS
//         node node-sqlite.mjs --info
// スキーマとメトリクス 10 個は lab-3 bench が用意済みのファイルを使います。
import { DatabaseSync } from 'node:sqlite';

// --info: 組み込まれた SQLite のバージョンと、percentile() があるかを JSON で出力します。
// process.exit() を呼ぶと Node の ExperimentalWarning が出る前に終わるので、呼びません。
if (process.argv[2] === '--info') {
  printInfo();
} else {
  runBenchmark();
}

function printInfo() {
  const memory = new DatabaseSync(':memory:');
  let percentile = true;
  try {
    memory.prepare('SELECT percentile(1, 50)').get();
  } catch {
    percentile = false;
  }
  const { version } = memory.prepare('SELECT sqlite_version() AS version').get();
  console.log(JSON.stringify({ sqlite_version: version, percentile }));
}

function runBenchmark() {
  const [path, rowsText, batchText, journalMode, synchronous] = process.argv.slice(2);
  const rows = Number(rowsText);
  const batch = Number(batchText);

  const db = new DatabaseSync(path);
  db.exec(`PRAGMA journal_mode = ${journalMode}`);
  db.exec(`PRAGMA synchronous = ${synchronous}`);
  const insert = db.prepare('INSERT INTO sample (metric_id, timestamp_ms, value) VALUES (?, ?, ?)');

  // 行の作り方は src/bench.rs の workload_row と同じです。
  const started = process.hrtime.bigint();
  for (let start = 0; start < rows; start += batch) {
    const explicit = batch > 1;
    if (explicit) db.exec('BEGIN');
    const end = Math.min(start + batch, rows);
    for (let i = start; i < end; i++) {
      const metricId = (i % 10) + 1;
      const timestampMs = 1_780_000_000_000 + Math.floor(i / 10) * 1000;
      insert.run(metricId, timestampMs, (i % 997) * 0.25);
    }
    if (explicit) db.exec('COMMIT');
  }
  const elapsed = process.hrtime.bigint() - started;
  db.close();
  console.log(elapsed.toString());
}
