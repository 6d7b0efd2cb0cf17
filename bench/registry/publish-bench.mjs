// Publish → searchable: how long from an npm publish request to the version being found by the
// catalog search API (Verdaccio's publish notification, then core's indexer). Embedded registry,
// SQLite. Usage: node --no-node-snapshot bench/registry/publish-bench.mjs [count]
import { performance } from 'node:perf_hooks';
import { requestToken } from '../../plugin-registry/dist/index.js';
import { startTestServer, TEST_ADMIN_PASSWORD } from '../../core/dist/test-support/test-server.js';
import { packTarball } from '../../core/dist/bootstrap/package-tarball.js';
import { publishPackage } from '../../core/dist/bootstrap/registry-publish.js';

process.env.OPSLOOM_BOOTSTRAP = 'off';
const count = Number(process.argv[2] ?? 20);
const s = await startTestServer({ OPSLOOM_REGISTRY: 'embedded', OPSLOOM_REGISTRY_PORT: '0' });
const registryUrl = (await s.admin.call('GET', '/api/v1/registry')).body.url;
const npmToken = await requestToken(registryUrl, 'admin', TEST_ADMIN_PASSWORD);
const name = '@opsloom/bench-greeter';
const times = [];
for (let i = 0; i < count; i++) {
  const version = `1.0.${i}`;
  const pkg = {
    name, version, description: 'benchmark plugin', keywords: ['opsloom-plugin'],
    opsloom: { plugin: { title: 'Bench greeter', category: 'bench', runtime: 'isolate', entry: 'dist/plugin.js', inputs: { type: 'object' }, outputs: { type: 'object' }, mode: 'sync', capabilities: [], limits: { memoryMb: 32, timeoutMs: 1000 } } },
  };
  const readme = '# Bench greeter\n';
  const tarball = packTarball([
    { path: 'package.json', data: Buffer.from(JSON.stringify(pkg, null, 2)) },
    { path: 'README.md', data: Buffer.from(readme) },
    { path: 'dist/plugin.js', data: Buffer.from('var __opsloomPlugin = definePlugin({ execute() { return { ok: true }; } });') },
  ]);
  const t0 = performance.now();
  await publishPackage(registryUrl, npmToken, { pkg, readme, tarball });
  for (;;) {
    const r = await s.admin.call('GET', `/api/v1/marketplace/plugins?q=bench-greeter&allVersions=true&pageSize=100`);
    if (r.body.items?.some((p) => p.name === name && p.version === version)) break;
    await new Promise((res) => setTimeout(res, 2));
  }
  times.push(performance.now() - t0);
}
await s.close();
const sorted = [...times].sort((a, b) => a - b);
const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
console.table([{ benchmark: 'publish request → found by catalog search', runs: count, 'median ms': at(0.5).toFixed(1), 'p95 ms': at(0.95).toFixed(1), goal: '≤ 1000 ms', met: at(0.95) <= 1000 ? 'yes' : 'no' }]);
process.exit(0);
