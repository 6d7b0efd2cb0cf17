import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { TestServer } from '../test-support/test-server.js';
import { openFlowServer, type Flows } from '../test-support/flow-server.js';
import type { FlowNode } from '../model/index.js';
import { end, gateway, graph, start, task } from '../test-support/flow-helpers.js';

interface Line { level: string; message: string }

/**
 * A plugin node waiting between polls or for a callback has no call in flight to abort: when the
 * engine gives up on it (revoke, force-fail, timeout), its plugin's `cancel` stops the remote work.
 */
describe('cancelling the remote work of waiting plugin nodes', () => {
  let s: TestServer;
  let f: Flows;
  before(async () => ({ s, f } = await openFlowServer()));
  after(() => s.close());

  const one = (name: string, node: FlowNode) => graph(name, [start(), node, end()], [['start', node.id], [node.id, 'end']]);
  const lines = async (taskId: string, nodeId: string): Promise<Line[]> => (await f.node(taskId, nodeId)).logs as Line[];
  /** The node's log once a line matches `pattern` (10 s at most): cancels run after the operation answered. */
  async function logWith(taskId: string, nodeId: string, pattern: RegExp): Promise<Line[]> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const got = await lines(taskId, nodeId);
      if (got.some((l) => pattern.test(l.message))) return got;
      if (Date.now() > deadline) assert.fail(`no log line of ${nodeId} matches ${pattern}: ${JSON.stringify(got)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  const asked = (why: string, ended = 'done') => `asked @test/job@1.0.0 to stop the remote work of this node (${why}): ${ended}`;
  const messages = (got: Line[]) => got.map((l) => l.message);

  test('revoking a task stops the job of its node waiting between polls, not of one that finished or one whose call runs', async () => {
    const id = await f.run(graph('revoke', [
      start(), task('done', '@test/job', { job: 'd', polls: 2 }), gateway('fork', 'parallel'),
      task('wait', '@test/job', { job: 'w' }), task('busy', '@test/poller', { busyMs: 3000 }), gateway('join', 'converge'), end(),
    ], [['start', 'done'], ['done', 'fork'], ['fork', 'wait'], ['fork', 'busy'], ['wait', 'join'], ['busy', 'join'], ['join', 'end']]));
    await f.waitFor(id, (t) => t.nodes.wait!.state === 'waiting' && t.nodes.busy!.state === 'running', 'wait waiting and busy running');
    assert.equal((await f.taskOp(id, 'revoke')).status, 200);
    const wait = await logWith(id, 'wait', /^asked/);
    assert.deepEqual(messages(wait), ['started job w#1', 'stopping job w#1', asked('its task was revoked')]);
    assert.deepEqual(messages(await lines(id, 'done')), ['started job d#1'], 'a finished node left nothing to stop');
    // The running call was aborted; give a cancel sent by mistake the time the waiting node's took.
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(messages(await lines(id, 'busy')), [], 'a running call is aborted, not cancelled');
  });

  test('a subflow child task revoked with its parent stops the job its node waits on', async () => {
    const child = await f.template(one('cancel-child', task('wait', '@test/job', { job: 'c' })));
    const id = await f.run(graph('cancel-parent', [start(), { id: 'sub', type: 'subflow', template: { id: child, version: 1 }, params: {} }, end()], [['start', 'sub'], ['sub', 'end']]));
    const childId = (await f.waitNode(id, 'sub', 'waiting')).nodes.sub!.childTaskId!;
    await f.waitNode(childId, 'wait', 'waiting');
    assert.equal((await f.taskOp(id, 'revoke')).status, 200);
    const got = await logWith(childId, 'wait', /^asked/);
    assert.deepEqual(messages(got).slice(1), ['stopping job c#1', asked('its task was revoked')]);
  });

  test('force-failing a waiting node stops its job; a cancel that fails says so in the node\'s log', async () => {
    const id = await f.run(one('force', task('a', '@test/job', { job: 'f' })));
    await f.waitNode(id, 'a', 'waiting');
    assert.equal((await f.op(id, 'a', 'force-fail')).status, 200);
    assert.deepEqual(messages(await logWith(id, 'a', /^asked/)).slice(1), ['stopping job f#1', asked('forced to fail by admin')]);

    const broken = await f.run(one('force-broken', task('a', '@test/job', { job: 'b', cancelFails: true })));
    await f.waitNode(broken, 'a', 'waiting');
    assert.equal((await f.op(broken, 'a', 'force-fail')).status, 200);
    const got = await logWith(broken, 'a', /^asked/);
    assert.deepEqual(got.slice(1), [{ ...got[1]!, level: 'warn', message: asked('forced to fail by admin', 'it failed: PLUGIN_ERROR: the job service is down') }]);
  });

  test('a timeout while the node waits stops the attempt\'s job once; the auto-retry then runs its own', async () => {
    const id = await f.run(one('timeout', task('a', '@test/job', { job: 't', finishRetry: true }, { onError: { timeout: { seconds: 1, action: 'fail' }, retry: { times: 1, intervalMs: 10 } } })));
    const t = await f.waitState(id, 'finished');
    assert.equal(t.nodes.a!.attempts, 2);
    const got = messages(await logWith(id, 'a', /^asked/));
    assert.deepEqual(got.filter((m) => m.startsWith('stopping')), ['stopping job t#1'], 'only the timed-out attempt\'s job, once');
    assert.ok(got.includes(asked('timed out after 1 s')), JSON.stringify(got));
    assert.ok(got.includes('started job t#2'), 'the retry started its own job');
  });

  test('a waiting node of a plugin without cancel gets no error line: there was nothing to stop', async () => {
    const id = await f.run(one('no-cancel', task('a', '@test/waiter', {})));
    await f.waitNode(id, 'a', 'waiting');
    assert.equal((await f.taskOp(id, 'revoke')).status, 200);
    const got = await logWith(id, 'a', /^asked/);
    assert.deepEqual(got.map((l) => [l.level, l.message]), [['info', 'asked @test/waiter@1.0.0 to stop the remote work of this node (its task was revoked): done']]);
  });
});
