/**
 * Warming the cache from a hostile remote registry: its packument's version keys become file
 * names in storage, so a key that is not a semver version must be refused before anything is written.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { access } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { after, before, test } from 'node:test';
import { RegistryError, RegistryErrorCode } from './errors.js';
import { startRegistry, type RegistryHandle } from './registry.js';
import { removeDir, tempDir, userTable } from './testing/fixtures.js';

const ESCAPING = '1.0.0/../../../../escaped';
const tarball = gzipSync(Buffer.from('whatever the remote likes'));
const integrity = `sha512-${createHash('sha512').update(tarball).digest('base64')}`;
let work: string;
let remote: Server;
let registry: RegistryHandle;
let tarballRequests = 0;

before(async () => {
  work = await tempDir('warm-hostile');
  remote = createServer((req, res) => {
    if (req.url?.includes('/-/')) {
      tarballRequests++;
      return void res.end(tarball);
    }
    const base = `http://127.0.0.1:${(remote.address() as AddressInfo).port}/`;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({
      name: '@orgx/evil', 'dist-tags': { latest: ESCAPING },
      versions: { [ESCAPING]: { name: '@orgx/evil', version: ESCAPING, dist: { tarball: `${base}@orgx/evil/-/evil-1.0.0.tgz`, integrity } } },
    }));
  });
  await new Promise<void>((resolve) => remote.listen(0, '127.0.0.1', resolve));
  registry = await startRegistry({ dataDir: join(work, 'registry'), port: 0, ...userTable({}) });
  await registry.addUplink({ name: 'orgx', url: `http://127.0.0.1:${(remote.address() as AddressInfo).port}/`, scopes: ['@orgx'], maxAgeSeconds: 0 });
});

after(async () => {
  await registry.close();
  remote.close();
  await removeDir(work);
});

test('a remote version key that climbs out of storage is refused and nothing is written', async () => {
  await assert.rejects(registry.warmPackage('@orgx/evil'), (e: unknown) => e instanceof RegistryError && e.code === RegistryErrorCode.CacheWarmFailed && /not semver/.test(e.message));
  assert.equal(tarballRequests, 0);
  await assert.rejects(access(join(work, 'registry', 'escaped.tgz')), { code: 'ENOENT' });
  assert.throws(() => registry.tarballPath('@orgx/evil', ESCAPING), (e: unknown) => e instanceof RegistryError);
});
