import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../test-support/test-server.js';
import { installTestPlugins } from '../test-support/test-plugins.js';
import { userClient } from '../job/test-support/job-test-kit.js';
import { end, flows, graph, start, task } from '../test-support/flow-helpers.js';

/** A flow reading a project constant, `${_env_DB_HOST}`, from the template's save to its runs. */
describe('project constants in flows', () => {
  let s: TestServer;
  let f: ReturnType<typeof flows>;
  const constants = '/api/v1/projects/shop/constants';
  const templates = '/api/v1/projects/shop/templates';
  const reader = graph('Migrate', [start(), task('connect', '@test/echo', { value: 'postgres://${_env_DB_HOST}/app' }), end()],
    [['start', 'connect'], ['connect', 'end']]);

  before(async () => {
    s = await startTestServer();
    await installTestPlugins(s, '1.0.0', ['@test/echo']);
    await s.admin.call('POST', '/api/v1/projects', { key: 'shop', name: 'Shop' });
    f = flows(s.admin, 'shop');
  });
  after(async () => { await s.close(); });

  test('a template is refused until the constant exists, and its tasks read the value current when they run', async () => {
    const refused = await s.admin.call<{ code: string; errors: { nodeId?: string; rule: string; message: string }[] }>('POST', templates, { name: reader.name, graph: reader });
    assert.equal(refused.status, 422);
    assert.equal(refused.body.code, 'invalid_flow');
    assert.equal(refused.body.errors.length, 1, JSON.stringify(refused.body.errors));
    const [error] = refused.body.errors;
    assert.equal(error!.rule, 'unknown_constant');
    assert.equal(error!.nodeId, 'connect');
    assert.match(error!.message, /project constant DB_HOST, which this project does not have; add it under the project's constants/);
    const checked = await s.admin.call<{ ok: boolean; errors: { rule: string }[] }>('POST', `${templates}/validate`, { graph: reader });
    assert.deepEqual([checked.body.ok, checked.body.errors.map((e) => e.rule)], [false, ['unknown_constant']]);

    const projectId = (await s.admin.call<{ id: string }>('GET', '/api/v1/projects/shop')).body.id;
    const viewer = await userClient(s, 'vic', { projectId, role: 'viewer' });
    const byViewer = await viewer.call<{ code: string }>('PUT', `${constants}/DB_HOST`, { value: 'db1.internal' });
    assert.equal(byViewer.status, 403);
    assert.equal(byViewer.body.code, 'forbidden');
    assert.equal((await s.admin.call('POST', `${templates}/validate`, { graph: reader })).body.ok, false, 'the viewer set nothing');

    assert.equal((await s.admin.call('PUT', `${constants}/DB_HOST`, { value: 'db1.internal' })).status, 200);
    const templateId = await f.template(reader);
    const first = await f.create(templateId);
    await f.taskOp(first, 'start');
    await f.waitState(first, 'finished');
    assert.deepEqual((await f.node(first, 'connect')).inputs, { value: 'postgres://db1.internal/app' });

    assert.equal((await s.admin.call('PUT', `${constants}/DB_HOST`, { value: 'db2.internal' })).status, 200);
    const second = await f.create(templateId);
    await f.taskOp(second, 'start');
    await f.waitState(second, 'finished');
    const node = await f.node(second, 'connect');
    assert.deepEqual(node.inputs, { value: 'postgres://db2.internal/app' });
    assert.equal(node.outputs.value, 'postgres://db2.internal/app', 'the plugin received the rendered value');
    assert.deepEqual((await f.node(first, 'connect')).inputs, { value: 'postgres://db1.internal/app' }, 'a finished node keeps what it ran with');
  });

  test('a task reading a constant deleted since its template was saved fails the node, naming the constant', async () => {
    await s.admin.call('PUT', `${constants}/QUEUE_URL`, { value: 'amqp://mq' });
    const g = graph('Drain', [start(), task('drain', '@test/echo', { value: '${_env_QUEUE_URL}' }), end()], [['start', 'drain'], ['drain', 'end']]);
    const templateId = await f.template(g);
    const deleted = await s.admin.call<{ usedBy: { templateId: string; name: string }[] }>('DELETE', `${constants}/QUEUE_URL`);
    assert.deepEqual(deleted.body.usedBy, [{ templateId, name: 'Drain' }]);

    const id = await f.create(templateId);
    await f.taskOp(id, 'start');
    const failed = await f.waitState(id, 'failed');
    assert.equal(failed.nodes.drain!.state, 'failed');
    assert.match(failed.nodes.drain!.error ?? '', /\$\{_env_QUEUE_URL\} failed \(unknown constant\): project constant QUEUE_URL is not set; a project admin adds it under the project's constants/);

    await s.admin.call('PUT', `${constants}/QUEUE_URL`, { value: 'amqp://mq2' });
    assert.equal((await f.op(id, 'drain', 'retry')).status, 200);
    await f.waitState(id, 'finished');
    assert.deepEqual((await f.node(id, 'drain')).inputs, { value: 'amqp://mq2' }, 'a retry after the constant is back reads it');
  });
});
