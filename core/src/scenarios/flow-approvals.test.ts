import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { apiClient, startTestServer, type ApiClient, type TestServer } from '../test-support/test-server.js';
import { end, flows, graph, start, task } from '../test-support/flow-helpers.js';
import type { PluginService } from '../plugin/plugin-service.js';

type Problem = { code: string; detail: string; role: string; approverRoles: string[] };

/** Who may decide an approval node: only a project role its rendered approverRoles lists. */
describe('approval decisions', () => {
  let s: TestServer;
  let templateId = '';
  const as: Record<string, ApiClient> = {};
  // The real standard plugin, from this repository, run by the real sandbox.
  const approvalDir = fileURLToPath(new URL('../../../plugins/approval', import.meta.url));

  before(async () => {
    s = await startTestServer();
    await (s.ops.services.modules.get('plugins') as PluginService).installFromDirectory(approvalDir, { source: `local:${approvalDir}`, approvedBy: 'admin' });
    await s.admin.call('POST', '/api/v1/projects', { key: 'rel', name: 'Releases' });
    for (const [u, role, isAdmin] of [['olga', 'operator', false], ['dev', 'developer', false], ['root', null, true]] as const) {
      assert.equal((await s.admin.call('POST', '/api/v1/users', { username: u, password: `${u}-password-1`, isAdmin })).status, 201);
      if (role) assert.equal((await s.admin.call('PUT', `/api/v1/projects/rel/members/${u}`, { role })).status, 200);
      const login = await s.anonymous.call<{ token: string }>('POST', '/api/v1/auth/login', { username: u, password: `${u}-password-1` });
      as[u] = apiClient(s.url, login.body.token);
    }
    const g = graph('gate', [
      start(),
      task('gate', '@opsloom/plugin-approval', { message: 'Deploy?', approverRoles: '${deciders}' }),
      end(),
    ], [['start', 'gate'], ['gate', 'end']], { deciders: { type: 'json', value: ['admin'], show: true } });
    templateId = await flows(s.admin, 'rel').template(g);
  });
  after(async () => { await s.close(); });

  const waitingTask = async (variables: Record<string, unknown> = {}) => {
    const f = flows(s.admin, 'rel');
    const id = await f.create(templateId, { variables });
    assert.equal((await f.taskOp(id, 'start')).status, 200);
    await f.waitNode(id, 'gate', 'waiting');
    return id;
  };

  test('a role the rendered approverRoles does not list is refused with 403, and the node keeps waiting', async () => {
    const id = await waitingTask();
    for (const [u, role] of [['olga', 'operator'], ['dev', 'developer']] as const) {
      const r = await flows(as[u]!, 'rel').op(id, 'gate', 'approve', { decision: 'approve' });
      assert.equal(r.status, 403, `${u}: ${JSON.stringify(r.body)}`);
      const p = r.body as unknown as Problem;
      assert.equal(p.code, 'not_an_approver');
      assert.deepEqual([p.role, p.approverRoles], [role, ['admin']]);
      assert.match(p.detail, new RegExp(`your role ${role} may not decide approval node gate: only admin may`));
    }
    const f = flows(s.admin, 'rel');
    assert.equal((await f.get(id)).nodes.gate!.state, 'waiting');
    const audit = await s.admin.call<{ items: { actorName: string; status: number }[] }>('GET', '/api/v1/projects/rel/audit?action=node.approve');
    assert.deepEqual(audit.body.items.map((i) => [i.actorName, i.status]).sort(), [['dev', 403], ['olga', 403]]);
    // A project admin decides.
    assert.equal((await f.op(id, 'gate', 'approve', { decision: 'approve', comment: 'go' })).status, 200);
    await f.waitState(id, 'finished');
    assert.deepEqual([(await f.node(id, 'gate')).outputs.approver, (await f.node(id, 'gate')).outputs.role], ['admin', 'admin']);
  });

  test('a system administrator who is no member decides as admin', async () => {
    const id = await waitingTask();
    const f = flows(as.root!, 'rel');
    const r = await f.op(id, 'gate', 'approve', { decision: 'reject', comment: 'not today' });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const done = await f.waitState(id, 'failed');
    assert.match(String(done.nodes.gate!.error), /rejected by root \(admin\): not today/);
  });

  test('the roles come from this task\'s rendering: a task listing operator lets the operator decide', async () => {
    const id = await waitingTask({ deciders: ['operator', 'admin'] });
    const f = flows(as.olga!, 'rel');
    const r = await f.op(id, 'gate', 'approve', { decision: 'approve' });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    await f.waitState(id, 'finished');
    assert.equal((await f.node(id, 'gate')).outputs.approver, 'olga');
  });

  test('a second decision, or one on a task that ended, is refused as an approval, not as a callback the caller never sent', async () => {
    const f = flows(s.admin, 'rel');
    const id = await waitingTask();
    // Two decisions at once: one is taken, the other is told the node no longer waits for one.
    const both = await Promise.all([f.op(id, 'gate', 'approve', { decision: 'approve' }), f.op(id, 'gate', 'approve', { decision: 'reject' })]);
    assert.deepEqual(both.map((r) => r.status).sort(), [200, 409]);
    const refused = both.find((r) => r.status === 409)!.body;
    assert.match(String(refused.detail), /^cannot approve the node: /);
    assert.doesNotMatch(String(refused.detail), /call ?back/);
    await f.waitState(id, 'finished');
    const late = await f.op(id, 'gate', 'approve', { decision: 'reject' });
    assert.equal(late.status, 409);
    assert.equal(late.body.detail, 'cannot approve the node: the task is finished');
  });

  test('a role no member can hold fails the node at once with the input error, instead of waiting forever', async () => {
    const f = flows(s.admin, 'rel');
    const id = await f.create(templateId, { variables: { deciders: ['approver'] } });
    assert.equal((await f.taskOp(id, 'start')).status, 200);
    const failed = await f.waitState(id, 'failed');
    assert.equal(failed.nodes.gate!.state, 'failed');
    assert.match(String(failed.nodes.gate!.error), /approverRoles\.0 must be equal to one of the allowed values/);
  });
});
