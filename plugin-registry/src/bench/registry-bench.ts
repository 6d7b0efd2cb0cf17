/**
 * Registry benchmark: publish → onPublish notification latency, and verified install
 * (`installVerified`: integrity + signature + unpack) against a plain `npm install` of the same
 * package from the same embedded Verdaccio, measured side by side in one run.
 * Run: `node --no-node-snapshot plugin-registry/dist/bench/registry-bench.js [runs]`
 */
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { requestToken } from '../client.js';
import { installVerified } from '../install.js';
import { startRegistry } from '../registry.js';
import { generateOrgKey, signPackage, sriSha512 } from '../signing.js';
import { npmPublish, removeDir, runNpm, tempDir, userTable, writePluginPackage } from '../testing/fixtures.js';

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

function p95(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(s.length * 0.95) - 1)];
}

async function main(): Promise<void> {
  const runs = Number(process.argv[2] ?? 7);
  const work = await tempDir('bench');
  const waiters = new Map<string, (t: number) => void>();
  const registry = await startRegistry({
    dataDir: join(work, 'data'), port: 0,
    ...userTable({ alice: { password: 'alice-password-1', publishScopes: ['@bench'] } }),
    onPublish: (name, version) => waiters.get(`${name}@${version}`)?.(performance.now()),
  });
  try {
    const token = await requestToken(registry.url, 'alice', 'alice-password-1');
    const key = generateOrgKey('bench');
    const trust = { keysFor: () => [key.publicKey] };

    // 1. publish → notification
    const publishMs: number[] = [];
    const notifyMs: number[] = [];
    for (let i = 0; i < runs; i += 1) {
      const version = `1.0.${i}`;
      const dir = await writePluginPackage(join(work, `pub-${i}`), { name: '@bench/pub', version, files: { 'dist/data.json': JSON.stringify({ blob: 'x'.repeat(50_000) }) } });
      await signPackage(dir, key);
      const notified = new Promise<number>((resolve) => waiters.set(`@bench/pub@${version}`, resolve));
      const start = performance.now();
      const r = await npmPublish(dir, registry.url, token);
      const end = performance.now();
      if (r.code !== 0) throw new Error(r.stderr);
      notifyMs.push((await notified) - start);
      publishMs.push(end - start);
    }

    // 1b. the same, over HTTP without the npm client's start-up: PUT received → onPublish.
    const putMs: number[] = [];
    for (let i = 0; i < runs; i += 1) {
      const version = `2.0.${i}`;
      const dir = await writePluginPackage(join(work, `put-${i}`), { name: '@bench/pub', version });
      await signPackage(dir, key);
      const packed = await runNpm(['pack', '--ignore-scripts', '--pack-destination', dir], dir, registry.url, token);
      if (packed.code !== 0) throw new Error(packed.stderr);
      const tarball = await readFile(join(dir, `bench-pub-${version}.tgz`));
      const pkg = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as Record<string, unknown>;
      const file = `@bench/pub-${version}.tgz`;
      const body = JSON.stringify({
        _id: '@bench/pub', name: '@bench/pub', 'dist-tags': { latest: version },
        versions: { [version]: { ...pkg, _id: `@bench/pub@${version}`, dist: { integrity: sriSha512(tarball), shasum: createHash('sha1').update(tarball).digest('hex'), tarball: `${registry.url}@bench/pub/-/${file}` } } },
        _attachments: { [file]: { content_type: 'application/octet-stream', data: tarball.toString('base64'), length: tarball.length } },
      });
      const notified = new Promise<number>((resolve) => waiters.set(`@bench/pub@${version}`, resolve));
      const start = performance.now();
      const res = await fetch(new URL('@bench%2fpub', registry.url), { method: 'PUT', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body });
      if (res.status !== 201) throw new Error(`PUT answered ${res.status}: ${await res.text()}`);
      putMs.push((await notified) - start);
    }

    // 2. installVerified vs npm install, alternating so both see the same machine state.
    const verifiedMs: number[] = [];
    const npmMs: number[] = [];
    for (let i = 0; i < runs; i += 1) {
      const store = join(work, `store-${i}`);
      let t = performance.now();
      await installVerified({ registryUrl: registry.url, token, name: '@bench/pub', version: '1.0.0', storeDir: store, trust });
      verifiedMs.push(performance.now() - t);

      const project = join(work, `proj-${i}`);
      await writePluginPackage(project, { name: 'bench-consumer', version: '1.0.0' });
      await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'bench-consumer', version: '1.0.0', private: true }));
      t = performance.now();
      const r = await runNpm(['install', '@bench/pub@1.0.0', '--ignore-scripts', '--no-package-lock'], project, registry.url, token);
      npmMs.push(performance.now() - t);
      if (r.code !== 0) throw new Error(r.stderr);
    }

    const rows: [string, string, string, string][] = [
      ['metric', 'median ms', 'p95 ms', 'vs peer / limit'],
      ['npm publish (client wall time)', median(publishMs).toFixed(1), p95(publishMs).toFixed(1), ''],
      ['npm publish start → onPublish', median(notifyMs).toFixed(1), p95(notifyMs).toFixed(1), 'includes npm client start-up'],
      ['publish PUT sent → onPublish', median(putMs).toFixed(1), p95(putMs).toFixed(1), `${(median(putMs) / 1000).toFixed(3)} of the 1000 ms limit (before catalog indexing)`],
      ['installVerified (integrity+signature+unpack)', median(verifiedMs).toFixed(1), p95(verifiedMs).toFixed(1), `${(median(verifiedMs) / median(npmMs)).toFixed(2)}× npm install (limit 1.5×)`],
      ['npm install same package, same Verdaccio', median(npmMs).toFixed(1), p95(npmMs).toFixed(1), 'peer'],
    ];
    const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
    console.log(`registry bench: ${runs} runs each, node ${process.version}`);
    for (const r of rows) console.log(r.map((cell, c) => cell.padEnd(widths[c])).join(' | '));
  } finally {
    await registry.close();
    await removeDir(work);
  }
}

await main();
