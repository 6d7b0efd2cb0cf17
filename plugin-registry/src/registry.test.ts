import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { requestToken } from './client.js';
import { RegistryError, RegistryErrorCode } from './errors.js';
import { startRegistry, type RegistryHandle } from './registry.js';
import { npmPublish, removeDir, tempDir, userTable, validManifest, writePluginPackage } from './testing/fixtures.js';

describe('embedded registry with Opsloom users and the real npm client', () => {
  let dataDir: string;
  let work: string;
  let registry: RegistryHandle;
  let aliceToken: string;
  const published: string[] = [];
  let notify: () => void = () => undefined;
  const users = userTable({
    alice: { password: 'alice-password-1', groups: ['dev'], publishScopes: ['@orga'] },
    bob: { password: 'bob-password-1', publishScopes: [] },
  });

  before(async () => {
    dataDir = await tempDir('data');
    work = await tempDir('work');
    registry = await startRegistry({
      dataDir, port: 0, ...users,
      onPublish: (name, version, info) => {
        published.push(`${name}@${version} by ${info.username ?? '?'}`);
        notify();
      },
    });
    aliceToken = await requestToken(registry.url, 'alice', 'alice-password-1');
  });

  after(async () => {
    await registry.close();
    await removeDir(dataDir);
    await removeDir(work);
  });

  it('listens on the real port and refuses anonymous reads', async () => {
    assert.ok(registry.port > 0);
    assert.equal(registry.url, `http://127.0.0.1:${registry.port}/`);
    const res = await fetch(new URL('@orga%2fnothing', registry.url));
    assert.ok(res.status === 401 || res.status === 403, `status ${res.status}`);
  });

  it('logs in existing users only, with the right password, and never creates users', async () => {
    await assert.rejects(requestToken(registry.url, 'alice', 'wrong-password'), (e: unknown) => e instanceof RegistryError && e.code === RegistryErrorCode.LoginRefused);
    await assert.rejects(requestToken(registry.url, 'mallory', 'some-password'), (e: unknown) => e instanceof RegistryError && e.code === RegistryErrorCode.LoginRefused);
    // npm's own login flow: PUT without Basic auth must not register a new account either.
    const res = await fetch(new URL('-/user/org.couchdb.user:mallory', registry.url), {
      method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'mallory', password: 'some-password' }),
    });
    assert.equal(res.status, 401);
    const ok = await fetch(new URL('-/user/org.couchdb.user:alice', registry.url), {
      method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'alice', password: 'alice-password-1' }),
    });
    assert.equal(ok.status, 201);
    assert.equal(typeof ((await ok.json()) as { token?: unknown }).token, 'string');
    const who = await fetch(new URL('-/whoami', registry.url), { headers: { authorization: `Bearer ${aliceToken}` } });
    assert.deepEqual(await who.json(), { username: 'alice' });
  });

  it('accepts a valid plugin from npm publish and notifies the caller', async () => {
    const dir = await writePluginPackage(join(work, 'good'), { name: '@orga/hello', version: '1.0.0' });
    const seen = new Promise<void>((resolve) => {
      notify = resolve;
    });
    const result = await npmPublish(dir, registry.url, aliceToken);
    assert.equal(result.code, 0, result.stderr);
    await seen;
    assert.deepEqual(published, ['@orga/hello@1.0.0 by alice']);

    const packument = await registry.getPackument('@orga/hello');
    assert.ok(packument);
    assert.deepEqual((packument.versions['1.0.0'].opsloom as { plugin: unknown }).plugin, validManifest());
    assert.deepEqual(await registry.listPackages(), [{ name: '@orga/hello', local: true }]);
    assert.equal(await registry.getPackument('@orga/absent'), undefined);
  });

  it('refuses at publish a package without the opsloom-plugin keyword or manifest, naming the problem', async () => {
    const noKeyword = await writePluginPackage(join(work, 'nokw'), { name: '@orga/nokw', version: '1.0.0', keywords: ['demo'] });
    const r1 = await npmPublish(noKeyword, registry.url, aliceToken);
    assert.notEqual(r1.code, 0);
    assert.match(r1.stderr, /@orga\/nokw@1\.0\.0 is not a valid Opsloom plugin package: keywords: must include "opsloom-plugin"/);

    const noManifest = await writePluginPackage(join(work, 'noman'), { name: '@orga/noman', version: '1.0.0', opsloom: null });
    const r2 = await npmPublish(noManifest, registry.url, aliceToken);
    assert.notEqual(r2.code, 0);
    assert.match(r2.stderr, /opsloom\.plugin: is missing/);

    const badRuntime = await writePluginPackage(join(work, 'badrt'), { name: '@orga/badrt', version: '1.0.0', opsloom: { plugin: validManifest({ runtime: 'python' }) } });
    const r3 = await npmPublish(badRuntime, registry.url, aliceToken);
    assert.notEqual(r3.code, 0);
    assert.match(r3.stderr, /opsloom\.plugin\.runtime: must be "isolate" or "wasm"/);

    assert.equal(await registry.getPackument('@orga/nokw'), undefined);
    assert.equal(await registry.getPackument('@orga/noman'), undefined);
    assert.deepEqual(published, ['@orga/hello@1.0.0 by alice']);
  });

  it('refuses a publish by a user without the Opsloom role for the scope', async () => {
    const bobToken = await requestToken(registry.url, 'bob', 'bob-password-1');
    const dir = await writePluginPackage(join(work, 'bob'), { name: '@orga/bobs', version: '1.0.0' });
    const result = await npmPublish(dir, registry.url, bobToken);
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /user bob may not publish @orga\/bobs/);
    assert.ok(users.calls.includes('allowPublish:bob:@orga/bobs'));
    assert.equal(await registry.getPackument('@orga/bobs'), undefined);
  });

  it('disables the legacy upload routes that would bypass the manifest check', async () => {
    const res = await fetch(new URL('@orga%2fhello/-/hello-9.9.9.tgz/-rev/1', registry.url), {
      method: 'PUT', headers: { authorization: `Bearer ${aliceToken}`, 'content-type': 'application/octet-stream' }, body: 'x',
    });
    assert.equal(res.status, 405);
  });
});
