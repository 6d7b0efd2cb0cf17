/**
 * A packument whose `dist.tarball` is not an absolute http(s) URL (another organisation's registry
 * serving `-/x.tgz`), reaching the installer or a cache warm: it is refused with the registry's
 * error naming the version, and nothing is fetched. Verdaccio itself answers 500 for such a
 * packument, so the registry here is a plain server that passes it through as it is.
 * A warm reads an absolute one's path through the registry only, even a path that starts with //.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import { RegistryError, RegistryErrorCode } from './errors.js';
import { installVerified } from './install.js';
import { tarballUrlOf } from './tarball-url.js';
import { removeDir, tempDir } from './testing/fixtures.js';
import { warmPackage } from './warm-cache.js';

const tarball = gzipSync(Buffer.from('whatever the remote likes'));
const integrity = `sha512-${createHash('sha512').update(tarball).digest('base64')}`;
const packument = (dist: string) => ({
  name: '@orgx/rel', 'dist-tags': { latest: '1.0.0' },
  versions: { '1.0.0': { name: '@orgx/rel', version: '1.0.0', dist: { tarball: dist, integrity } } },
});

describe('a dist.tarball that is not an absolute http(s) URL', () => {
  let work: string;
  let registry: Server;
  let url: string;
  let served = '';
  const tarballRequests: string[] = [];

  before(async () => {
    work = await tempDir('tarball-url');
    registry = createServer((req, res) => {
      if (req.url?.includes('/-/')) {
        tarballRequests.push(req.url);
        return void res.end(tarball);
      }
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(packument(served)));
    });
    await new Promise<void>((resolve) => registry.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(registry.address() as AddressInfo).port}/`;
  });

  after(async () => {
    registry.close();
    await removeDir(work);
  });

  const refusal = (code: string) => (e: unknown) => e instanceof RegistryError && e.code === code
    && /@orgx\/rel@1\.0\.0 gives its tarball as .* not an absolute http\(s\) URL/.test(e.message);

  for (const relative of ['-/rel-1.0.0.tgz', '/@orgx/rel/-/rel-1.0.0.tgz', 'rel-1.0.0.tgz', 'file:///etc/passwd']) {
    test(`"${relative}" is refused by the installer and by a cache warm, and nothing is fetched`, async () => {
      served = relative;
      tarballRequests.length = 0;
      await assert.rejects(installVerified({ registryUrl: url, name: '@orgx/rel', version: '1.0.0', storeDir: join(work, 'store'), trust: { keysFor: () => [] } }),
        refusal(RegistryErrorCode.RequestFailed));
      await assert.rejects(warmPackage({
        url, getPackument: async () => packument(relative), tarballPath: () => join(work, 'never-written.tgz'), serviceAuthorization: () => 'Basic eDp4',
      }, '@orgx/rel'), refusal(RegistryErrorCode.CacheWarmFailed));
      assert.deepEqual(tarballRequests, []);
    });
  }

  test('a tarball path starting with // is read through the registry, never from the host it spells', async () => {
    const elsewhere = createServer((_req, res) => res.end(tarball));
    await new Promise<void>((resolve) => elsewhere.listen(0, '127.0.0.1', resolve));
    let elsewhereRequests = 0;
    elsewhere.on('request', () => { elsewhereRequests++; });
    try {
      tarballRequests.length = 0;
      const sneaky = `${url}/127.0.0.1:${(elsewhere.address() as AddressInfo).port}/@orgx/rel/-/rel-1.0.0.tgz`;
      const warmed = await warmPackage({
        url, getPackument: async () => packument(sneaky), tarballPath: () => join(work, 'rel-1.0.0.tgz'), serviceAuthorization: () => 'Basic eDp4',
      }, '@orgx/rel');
      assert.deepEqual(warmed.versions.map((v) => v.version), ['1.0.0']);
      assert.equal(elsewhereRequests, 0);
      assert.deepEqual(tarballRequests, [`//127.0.0.1:${(elsewhere.address() as AddressInfo).port}/@orgx/rel/-/rel-1.0.0.tgz`]);
    } finally {
      elsewhere.close();
    }
  });

  test('an absolute http(s) URL is returned as a URL', () => {
    assert.equal(tarballUrlOf('@orgx/rel', '1.0.0', `${url}@orgx/rel/-/rel-1.0.0.tgz`, RegistryErrorCode.RequestFailed).href, `${url}@orgx/rel/-/rel-1.0.0.tgz`);
  });
});
