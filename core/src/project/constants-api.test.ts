import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../test-support/test-server.js';
import { userClient } from '../job/test-support/job-test-kit.js';
import { end, graph, start } from '../test-support/flow-helpers.js';
import type { FlowGraph } from '../model/index.js';

type Problem = { code: string; detail: string; errors?: { path: string; message: string }[] };
type Constant = { key: string; value: string; description: string | null };

/** Project constants through the real API and database: changes, refusals, roles, audit, readers. */
describe('project constants api', () => {
  let s: TestServer;
  let projectId: string;
  const base = '/api/v1/projects/infra/constants';

  before(async () => {
    s = await startTestServer();
    projectId = (await s.admin.call<{ id: string }>('POST', '/api/v1/projects', { key: 'infra', name: 'Infra' })).body.id;
  });
  after(async () => { await s.close(); });

  test('an admin creates, replaces, lists and deletes constants, and each change is audited', async () => {
    const created = await s.admin.call<Constant>('PUT', `${base}/DB_HOST`, { value: 'db1.internal', description: 'primary database' });
    assert.equal(created.status, 200, JSON.stringify(created.body));
    assert.deepEqual(created.body, { key: 'DB_HOST', value: 'db1.internal', description: 'primary database' });
    await s.admin.call('PUT', `/api/v1/projects/${projectId}/constants/API_URL`, { value: 'https://api.example.com' });
    const replaced = await s.admin.call<Constant>('PUT', `${base}/DB_HOST`, { value: 'db2.internal' });
    assert.deepEqual(replaced.body, { key: 'DB_HOST', value: 'db2.internal', description: null }, 'PUT replaces: an omitted description is cleared');
    const list = await s.admin.call<{ items: Constant[] }>('GET', base);
    assert.deepEqual(list.body.items, [
      { key: 'API_URL', value: 'https://api.example.com', description: null },
      { key: 'DB_HOST', value: 'db2.internal', description: null },
    ]);

    const deleted = await s.admin.call<{ key: string; usedBy: unknown[] }>('DELETE', `${base}/API_URL`);
    assert.equal(deleted.status, 200);
    assert.deepEqual(deleted.body, { key: 'API_URL', usedBy: [] });
    const again = await s.admin.call<Problem>('DELETE', `${base}/API_URL`);
    assert.equal(again.status, 404);
    assert.equal(again.body.code, 'not_found');
    assert.match(again.body.detail, /project constant API_URL does not exist/);
    assert.deepEqual((await s.admin.call<{ items: Constant[] }>('GET', base)).body.items.map((c) => c.key), ['DB_HOST']);

    const audit = await s.admin.call<{ items: { action: string; targetKind: string; targetId: string; status: number; detail: Record<string, unknown> | null }[] }>(
      'GET', `/api/v1/projects/infra/audit?action=project.constant.`);
    const entries = audit.body.items.filter((e) => e.action.startsWith('project.constant.')).reverse()
      .map((e) => [e.action, e.targetId, e.status, e.detail]);
    assert.deepEqual(entries, [
      ['project.constant.set', 'DB_HOST', 200, { created: true, valueBytes: 12 }],
      ['project.constant.set', 'API_URL', 200, { created: true, valueBytes: 23 }],
      ['project.constant.set', 'DB_HOST', 200, { created: false, valueBytes: 12 }],
      ['project.constant.delete', 'API_URL', 200, { usedBy: [] }],
      ['project.constant.delete', null, 404, null],
    ]);
  });

  test('a bad key, value or description is refused with 400 naming the field', async () => {
    const refused = async (key: string, body: unknown, path: string, message?: RegExp): Promise<void> => {
      const r = await s.admin.call<Problem>('PUT', `${base}/${encodeURIComponent(key)}`, body);
      assert.equal(r.status, 400, `${key} ${JSON.stringify(body).slice(0, 80)}: ${JSON.stringify(r.body).slice(0, 300)}`);
      assert.equal(r.body.code, 'invalid_request');
      assert.equal(r.body.errors?.[0]?.path, path);
      if (message) assert.match(r.body.detail, message);
    };
    await refused('1abc', { value: 'x' }, 'params.key', /^params\.key: key "1abc" is not an identifier/);
    await refused('db-host', { value: 'x' }, 'params.key');
    await refused('class', { value: 'x' }, 'params.key', /reserved word/);
    await refused('__proto__', { value: 'x' }, 'params.key', /prototype/);
    await refused('K'.repeat(129), { value: 'x' }, 'params.key', /longer than 128 characters/);
    await refused('OK', {}, 'body.value');
    await refused('OK', { value: 5 }, 'body.value');
    await refused('OK', { value: 'x'.repeat(65_536) }, 'body.value', /at most 65535 bytes/);
    // 32,768 characters, but 65,536 bytes: the limit is what the column holds, in bytes.
    await refused('OK', { value: 'é'.repeat(32_768) }, 'body.value');
    await refused('OK', { value: 'x', description: 'd'.repeat(501) }, 'body.description');
    await refused('OK', { value: 'x', secret: true }, 'body.secret', /unknown field/);
    const badDelete = await s.admin.call<Problem>('DELETE', `${base}/not-a-key`);
    assert.equal(badDelete.status, 400);
    assert.equal(badDelete.body.errors?.[0]?.path, 'params.key');

    const longest = 'K'.repeat(128);
    const big = `${'é'.repeat(32_000)}${'x'.repeat(65_535 - 64_000)}`;
    assert.equal((await s.admin.call('PUT', `${base}/${longest}`, { value: big, description: 'd'.repeat(500) })).status, 200);
    assert.equal((await s.admin.call('PUT', `${base}/EMPTY`, { value: '' })).status, 200, 'an empty string is a value');
    const stored = (await s.admin.call<{ items: Constant[] }>('GET', base)).body.items;
    assert.equal(stored.find((c) => c.key === longest)?.value, big, 'the largest value comes back whole');
    assert.equal(stored.find((c) => c.key === 'EMPTY')?.value, '');
    await s.admin.call('DELETE', `${base}/${longest}`);
    await s.admin.call('DELETE', `${base}/EMPTY`);
  });

  test('every member reads constants; only project admins change them', async () => {
    await s.admin.call('PUT', `${base}/REGION`, { value: 'eu-west' });
    const viewer = await userClient(s, 'vera', { projectId, role: 'viewer' });
    const developer = await userClient(s, 'devon', { projectId, role: 'developer' });
    const outsider = await userClient(s, 'otto');
    assert.ok((await viewer.call<{ items: Constant[] }>('GET', base)).body.items.some((c) => c.key === 'REGION'));
    for (const [who, client] of [['viewer', viewer], ['developer', developer]] as const) {
      const put = await client.call<Problem>('PUT', `${base}/REGION`, { value: 'us-east' });
      assert.equal(put.status, 403, who);
      assert.equal(put.body.code, 'forbidden');
      assert.match(put.body.detail, /needs permission to manage/);
      assert.equal((await client.call('DELETE', `${base}/REGION`)).status, 403, who);
    }
    assert.equal((await outsider.call('GET', base)).status, 404, 'a non-member does not learn the project exists');
    assert.equal((await s.anonymous.call('GET', base)).status, 401);
    const after = (await s.admin.call<{ items: Constant[] }>('GET', base)).body.items.find((c) => c.key === 'REGION');
    assert.equal(after?.value, 'eu-west', 'the refused changes changed nothing');
  });

  test('deleting a constant answers which templates\' latest versions read it', async () => {
    const templates = '/api/v1/projects/infra/templates';
    await s.admin.call('PUT', `${base}/STAGE`, { value: 'prod' });
    await s.admin.call('PUT', `${base}/STAGE_2`, { value: 'beta' });
    const withVariable = (name: string, value: string, render = true): FlowGraph =>
      graph(name, [start(), end()], [['start', 'end']], { v: { type: 'string', value, ...(render ? {} : { render: false }) } });
    const save = async (g: FlowGraph): Promise<string> => {
      const r = await s.admin.call<{ id: string }>('POST', templates, { name: g.name, graph: g });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      return r.body.id;
    };
    const reader = await save(withVariable('Deploy', 'stage ${_env_STAGE}'));
    const formerReader = await save(withVariable('Backup', '${_env_STAGE}'));
    assert.equal((await s.admin.call('PUT', `${templates}/${formerReader}`, { graph: withVariable('Backup', 'none') })).status, 200);
    await save(withVariable('Longer key', '${_env_STAGE_2}'));
    await save(withVariable('Literal', '${_env_STAGE}', false));
    const hidden = await save(withVariable('Hidden', '${_env_STAGE}'));
    assert.equal((await s.admin.call('DELETE', `${templates}/${hidden}`)).status, 204);

    const r = await s.admin.call<{ key: string; usedBy: { templateId: string; name: string }[] }>('DELETE', `${base}/STAGE`);
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, { key: 'STAGE', usedBy: [{ templateId: reader, name: 'Deploy' }] });
    const resave = await s.admin.call<{ errors: { rule: string }[] }>('PUT', `${templates}/${reader}`, { graph: withVariable('Deploy', 'stage ${_env_STAGE}') });
    assert.equal(resave.status, 422, 'a template reading a deleted constant is not saved again');
    assert.deepEqual(resave.body.errors.map((e) => e.rule), ['unknown_constant']);
  });
});
