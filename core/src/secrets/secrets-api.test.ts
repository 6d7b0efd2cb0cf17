import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startTestServer, type TestServer } from '../test-support/test-server.js';
import { userClient } from '../job/test-support/job-test-kit.js';
import type { SecretService } from './secret-service.js';

const VALUE = 'hunter2-very-secret-value';

/** The project secret store through the real API and database. */
describe('secrets api', () => {
  let s: TestServer;
  let projectId: string;
  const base = '/api/v1/projects/vault/secrets';

  before(async () => {
    s = await startTestServer();
    projectId = (await s.admin.call<{ id: string }>('POST', '/api/v1/projects', { key: 'vault', name: 'Vault' })).body.id;
  });
  after(async () => { await s.close(); });

  test('values are stored, never returned, and encrypted at rest', async () => {
    const created = await s.admin.call<Record<string, unknown>>('POST', base, { name: 'db.password', value: VALUE, description: 'primary DB' });
    assert.equal(created.status, 201);
    assert.deepEqual(Object.keys(created.body).sort(), ['createdAt', 'description', 'name', 'updatedAt', 'updatedBy']);
    assert.equal(created.body.updatedBy, 'admin');
    const list = await s.admin.call<{ items: Record<string, unknown>[] }>('GET', base);
    assert.deepEqual(list.body.items.map((i) => i.name), ['db.password']);
    assert.doesNotMatch(JSON.stringify(list.body), /hunter2/);

    const row = await s.ops.db('project_secrets').where({ project_id: projectId, name: 'db.password' }).first() as { value_cipher: string };
    assert.ok(row.value_cipher.startsWith('v1:'));
    assert.ok(!row.value_cipher.includes(VALUE));
    assert.ok(!Buffer.from(row.value_cipher.slice(3), 'base64').toString('latin1').includes(VALUE));
    const secrets = s.ops.services.modules.get('secrets') as SecretService;
    assert.equal(await secrets.read(projectId, 'db.password'), VALUE);

    const audit = await s.admin.call('GET', `/api/v1/audit?projectId=${projectId}`);
    assert.match(JSON.stringify(audit.body), /secret\.create/);
    assert.doesNotMatch(JSON.stringify(audit.body), /hunter2/);
    const files = ['opsloom.sqlite-wal', 'opsloom.sqlite'].map((f) => { try { return readFileSync(`${s.dataDir}/${f}`, 'latin1'); } catch { return ''; } });
    assert.ok(files.every((f) => !f.includes(VALUE)), 'the plaintext is in no database file');
  });

  test('update, conflict, delete and validation', async () => {
    const dup = await s.admin.call<{ code: string }>('POST', base, { name: 'db.password', value: 'x' });
    assert.equal(dup.status, 409);
    assert.equal(dup.body.code, 'secret_exists');
    const updated = await s.admin.call<{ description: string }>('PUT', `${base}/db.password`, { value: 'rotated' });
    assert.equal(updated.status, 200);
    assert.equal(updated.body.description, 'primary DB');
    const secrets = s.ops.services.modules.get('secrets') as SecretService;
    assert.equal(await secrets.read(projectId, 'db.password'), 'rotated');
    assert.equal((await s.admin.call('PUT', `${base}/nope`, { value: 'x' })).status, 404);
    assert.equal((await s.admin.call('POST', base, { name: 'bad name', value: 'x' })).status, 400);
    assert.equal((await s.admin.call('POST', base, { name: 'empty', value: '' })).status, 400);
    assert.equal((await s.admin.call('DELETE', `${base}/db.password`)).status, 204);
    await assert.rejects(secrets.read(projectId, 'db.password'), /secret db.password does not exist/);
  });

  test('secrets belong to their project and only project admins change them', async () => {
    await s.admin.call('POST', base, { name: 'token', value: 'abc' });
    const other = (await s.admin.call<{ id: string }>('POST', '/api/v1/projects', { key: 'other', name: 'Other' })).body.id;
    const secrets = s.ops.services.modules.get('secrets') as SecretService;
    await assert.rejects(secrets.read(other, 'token'), /does not exist/);
    const dev = await userClient(s, 'devon', { projectId, role: 'developer' });
    assert.equal((await dev.call('GET', base)).status, 200);
    assert.equal((await dev.call('POST', base, { name: 'mine', value: 'x' })).status, 403);
    assert.equal((await dev.call('DELETE', `${base}/token`)).status, 403);
  });
});
