// Marketplace catalog search with 10,000 plugin versions indexed: p50/p95 per query shape against
// the 50 ms limit of issue 5. SQLite always; MariaDB too when OPSLOOM_BENCH_MYSQL is a server URL
// without database (e.g. mysql://root@127.0.0.1:3306).
// Usage: node --no-node-snapshot bench/registry/catalog-bench.mjs [--quick]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import mysql from 'mysql2/promise';
import { openDb } from '../../core/dist/store/db.js';
import { CatalogStore } from '../../core/dist/registry/catalog-store.js';

const VERSIONS = 10_000;
const PER_PACKAGE = 4;
const RUNS = process.argv.includes('--quick') ? 50 : 200;
const LIMIT_MS = 50;
const CATEGORIES = ['network', 'storage', 'database', 'notify', 'deploy', 'monitor', 'security', 'cloud'];
const CAPS = ['agent.execute', 'agent.transfer', 'cmdb.read', 'notify.send', 'secrets.read:db', 'http:https://api.example.com'];
const ORGS = ['opsloom', 'orgb', 'orgc', 'acme', null];
const WORDS = ['ping', 'disk', 'backup', 'restart', 'deploy', 'alert', 'rotate', 'scan', 'sync', 'check', 'mysql', 'nginx'];

function entries() {
  const out = [];
  for (let p = 0; out.length < VERSIONS; p++) {
    const word = WORDS[p % WORDS.length];
    const name = `@${['acme', 'orgb', 'orgc', 'ops'][p % 4]}/${word}-${p}`;
    for (let v = 0; v < PER_PACKAGE && out.length < VERSIONS; v++) {
      const org = ORGS[p % ORGS.length];
      const capabilities = CAPS.filter((_, i) => (p + v + i) % 3 === 0);
      const manifest = { title: `${word} ${p}`, category: CATEGORIES[p % CATEGORIES.length], runtime: p % 5 === 0 ? 'wasm' : 'isolate', entry: 'dist/plugin.js', inputs: { type: 'object' }, outputs: { type: 'object' }, mode: 'sync', capabilities, limits: { memoryMb: 32, timeoutMs: 1000 } };
      out.push({
        name, version: `1.${v}.0`, title: manifest.title, category: manifest.category, description: `${word} plugin number ${p}: does ${word} things on hosts`,
        keywords: ['opsloom-plugin', word, `tag${p % 50}`], runtime: manifest.runtime, mode: 'sync', capabilities, manifest, readme: `# ${name}\n\n${'Lorem ipsum '.repeat(50)}`,
        org, keyId: org ? 'k1' : null, signatureState: org ? 'trusted' : 'unsigned', origin: p % 7 === 0 ? 'orgb' : 'local',
        integrity: `sha512-${p}-${v}`, publishedAt: Date.UTC(2026, 0, 1) + p * 1000 + v, isLatest: v === PER_PACKAGE - 1,
      });
    }
  }
  return out;
}

const SHAPES = {
  'list page 1': () => ({}),
  'text (1 word)': (i) => ({ q: WORDS[i % WORDS.length] }),
  'text (2 words)': (i) => ({ q: `${WORDS[i % WORDS.length]} hosts` }),
  'category': (i) => ({ category: CATEGORIES[i % CATEGORIES.length] }),
  'capability': (i) => ({ capability: CAPS[i % CAPS.length] }),
  'runtime + org': (i) => ({ runtime: 'isolate', org: ORGS[i % 4] }),
  'text + category + capability': (i) => ({ q: WORDS[i % WORDS.length], category: CATEGORIES[i % CATEGORIES.length], capability: CAPS[i % CAPS.length] }),
  'all versions, page 20': (i) => ({ allVersions: true, page: 20 + (i % 5) }),
  'text, all versions': (i) => ({ q: `tag${i % 50}`, allVersions: true }),
};

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];

async function measure(label, db) {
  const catalog = new CatalogStore(db);
  const t0 = performance.now();
  const all = entries();
  for (let i = 0; i < all.length; i += 500) await catalog.upsertMany(all.slice(i, i + 500));
  const loadMs = performance.now() - t0;
  const rows = [];
  for (const [shape, make] of Object.entries(SHAPES)) {
    for (let i = 0; i < 10; i++) await catalog.search(make(i)); // warm-up
    const times = [];
    let total = 0;
    for (let i = 0; i < RUNS; i++) {
      const s = performance.now();
      const r = await catalog.search(make(i));
      times.push(performance.now() - s);
      total = r.total;
    }
    times.sort((a, b) => a - b);
    rows.push({ backend: label, query: shape, matches: total, 'p50 ms': +pct(times, 0.5).toFixed(2), 'p95 ms': +pct(times, 0.95).toFixed(2), 'p95 / limit': +(pct(times, 0.95) / LIMIT_MS).toFixed(3) });
  }
  console.log(`${label}: indexed ${VERSIONS} versions in ${(loadMs / 1000).toFixed(1)} s`);
  console.table(rows);
  return rows;
}

const dir = mkdtempSync(join(tmpdir(), 'opsloom-catalog-bench-'));
let worst = 0;
try {
  const sqlite = await openDb({ kind: 'sqlite', file: join(dir, 'bench.sqlite') });
  try {
    worst = Math.max(worst, ...(await measure('sqlite', sqlite)).map((r) => r['p95 ms']));
  } finally {
    await sqlite.destroy();
  }
  if (process.env.OPSLOOM_BENCH_MYSQL) {
    const server = new URL(process.env.OPSLOOM_BENCH_MYSQL);
    const name = `opsloom_catalog_bench_${process.pid}`;
    const conn = await mysql.createConnection({ host: server.hostname, port: Number(server.port || 3306), user: decodeURIComponent(server.username || 'root'), password: decodeURIComponent(server.password) });
    await conn.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
    const url = new URL(server);
    url.pathname = `/${name}`;
    const my = await openDb({ kind: 'mysql', url: url.toString() });
    try {
      worst = Math.max(worst, ...(await measure('mariadb', my)).map((r) => r['p95 ms']));
    } finally {
      await my.destroy();
      await conn.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await conn.end();
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.log(`worst p95 ${worst.toFixed(2)} ms against the ${LIMIT_MS} ms limit: ${worst <= LIMIT_MS ? 'within' : 'OVER'}`);
