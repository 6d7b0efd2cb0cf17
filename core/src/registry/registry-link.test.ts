import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { RegistryError, RegistryErrorCode } from '@opsloom/plugin-registry';
import { SecretCipher } from '../secrets/secret-cipher.js';
import { openTestDb } from '../test-support/test-db.js';
import { ReaderIdentity } from './reader-identity.js';
import { RegistryStateStore } from './registry-state-store.js';
import { sharedLink, type RegistryLink } from './registry-link.js';

const port = (server: Server): number => (server.address() as AddressInfo).port;

/**
 * The link to a shared registry warming another organisation's package whose packument gives a
 * relative `dist.tarball`: refused with the registry's error naming the version, nothing fetched.
 * The shared registry is a plain server that passes the packument through as the remote wrote it.
 * An absolute one is read through the shared registry only, even when its path starts with //.
 */
describe('shared registry link: the tarball URL a packument gives', () => {
  let registry: Server;
  let elsewhere: Server;
  const elsewhereRequests: string[] = [];
  let link: RegistryLink;
  let dir: string;
  let closeDb: () => Promise<void>;
  const tarballRequests: string[] = [];

  before(async () => {
    registry = createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      if (req.method === 'PUT' && req.url?.startsWith('/-/user/')) return void res.end(JSON.stringify({ token: 'reader-token' }));
      if (req.url?.includes('/-/')) {
        tarballRequests.push(req.url);
        return void res.end('tarball');
      }
      const name = decodeURIComponent(req.url!.slice(1));
      const tarball = name === '@orgx/rel' ? '-/rel-1.0.0.tgz' : `http://127.0.0.1:${port(registry)}//127.0.0.1:${port(elsewhere)}/@orgx/slashes/-/slashes-1.0.0.tgz`;
      res.end(JSON.stringify({ name, 'dist-tags': { latest: '1.0.0' }, versions: { '1.0.0': { name, version: '1.0.0', dist: { tarball, integrity: 'sha512-x' } } } }));
    });
    elsewhere = createServer((req, res) => {
      elsewhereRequests.push(req.url!);
      res.end('tarball');
    });
    await new Promise<void>((resolve) => registry.listen(0, '127.0.0.1', resolve));
    await new Promise<void>((resolve) => elsewhere.listen(0, '127.0.0.1', resolve));
    dir = mkdtempSync(join(tmpdir(), 'opsloom-link-'));
    const testDb = await openTestDb('registry-link');
    closeDb = testDb.close;
    const reader = await ReaderIdentity.load(new RegistryStateStore(testDb.db), SecretCipher.load({ secretKey: undefined, dataDir: dir }, 'registry'));
    link = sharedLink(`http://127.0.0.1:${port(registry)}`, reader);
  });

  after(async () => {
    registry.close();
    elsewhere.close();
    await closeDb();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a relative one is refused, naming the package and version, and no tarball is requested', async () => {
    await assert.rejects(link.warm('@orgx/rel'), (e: unknown) => e instanceof RegistryError && e.code === RegistryErrorCode.CacheWarmFailed
      && /^@orgx\/rel@1\.0\.0 gives its tarball as "-\/rel-1\.0\.0\.tgz", which is not an absolute http\(s\) URL/.test(e.message));
    assert.deepEqual(tarballRequests, []);
  });

  test('a tarball path starting with // is read through the shared registry, never from the host it spells', async () => {
    tarballRequests.length = 0;
    await link.warm('@orgx/slashes');
    assert.deepEqual(elsewhereRequests, []);
    assert.deepEqual(tarballRequests, [`//127.0.0.1:${port(elsewhere)}/@orgx/slashes/-/slashes-1.0.0.tgz`]);
  });
});
