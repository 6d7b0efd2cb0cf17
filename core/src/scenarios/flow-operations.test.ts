import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { TestServer } from '../test-support/test-server.js';
import { memberFlows, openFlowServer, type Flows } from '../test-support/flow-server.js';
import type { FlowEngine } from '../flow/engine/engine.js';
import type { TaskService } from '../flow/task/task-service.js';
import type { FlowNode } from '../model/index.js';
import { end, gateway, graph, start, task } from '../test-support/flow-helpers.js';

/** Failure handling and every task and node operation, through the REST API. */
describe('flow operations', () => {
  let s: TestServer;
  let f: Flows;
  const subflow = (id: string, templateId: string): FlowNode => ({ id, type: 'subflow', template: { id: templateId, version: 1 }, params: {} });
  const one = (name: string, node: ReturnType<typeof task>, vars = {}) => graph(name, [start(), node, task('next', '@test/echo'), end()], [['start', node.id], [node.id, 'next'], ['next', 'end']], vars);
  before(async () => ({ s, f } = await openFlowServer()));
  after(() => s.close());

  test('auto-retry runs further attempts and keeps each failure in the history', async () => {
    const id = await f.run(one('retry', task('a', '@test/flaky', { failTimes: 2 }, { onError: { retry: { times: 2, intervalMs: 10 } } })));
    const t = await f.waitState(id, 'finished');
    assert.equal(t.nodes.a!.attempts, 3);
    const a = await f.node(id, 'a');
    assert.equal((a.outputs as { attempt: number }).attempt, 3);
    assert.equal(a.history.length, 2);
    // Each entry is its own attempt: numbered, started after the one before it ended.
    const runs = a.history as { attempts: number; startedAt: string; finishedAt: string }[];
    assert.deepEqual(runs.map((h) => h.attempts), [1, 2]);
    assert.ok(runs[0]!.startedAt && Date.parse(runs[1]!.startedAt) >= Date.parse(runs[0]!.finishedAt), JSON.stringify(runs));
    assert.ok(Date.parse(a.startedAt as string) >= Date.parse(runs[1]!.finishedAt), 'the node shows the last attempt\'s start');
  });

  test('ignore finishes a failed node with errorIgnored and _result false, and the flow goes on', async () => {
    const id = await f.run(one('ignore', task('a', '@test/flaky', { fail: 'boom' }, { onError: { ignore: true }, outputs: { _result: 'ok' } }), { ok: { type: 'boolean' } }));
    const t = await f.waitState(id, 'finished');
    assert.equal(t.nodes.a!.errorIgnored, true);
    assert.match(t.nodes.a!.error!, /boom/);
    assert.equal(t.nodes.next!.state, 'finished');
    const a = await f.node(id, 'a');
    assert.equal((a.outputs as { _result: boolean })._result, false);
  });

  test('a failed node fails the task; retry with new inputs keeps render:false literal and the old run in history', async () => {
    const id = await f.run(one('manual', task('a', '@test/flaky', { fail: 'bad input', cmd: { value: 'echo ${HOME}', render: false } })));
    let t = await f.waitState(id, 'failed');
    assert.equal(t.nodes.a!.state, 'failed');
    assert.equal(t.nodes.next!.state, 'pending');
    const unknown = await f.op(id, 'a', 'retry', { inputs: { nope: 1 } });
    assert.equal(unknown.status, 400);
    // Names every object inherits are no inputs of the node either.
    for (const inherited of ['constructor', 'toString']) assert.equal((await f.op(id, 'a', 'retry', { inputs: { [inherited]: 'x' } })).status, 400, inherited);
    assert.equal((await f.op(id, 'a', 'retry', { inputs: { fail: false, cmd: 'echo ${USER}' } })).status, 200);
    t = await f.waitState(id, 'finished');
    assert.equal(t.nodes.a!.retries, 1);
    const a = await f.node(id, 'a');
    assert.equal(a.inputs.cmd, 'echo ${USER}', 'the new value stays literal because the input was render:false');
    assert.deepEqual(a.inputOverride, { fail: false, cmd: { value: 'echo ${USER}', render: false } }, 'the inputs in effect since the retry, unrendered');
    assert.equal(a.history.length, 1);
    assert.equal((await f.op(id, 'a', 'retry')).status, 409, 'a finished node cannot be retried');
  });

  test('a retry\'s new literal the plugin\'s inputs schema refuses is a 400 naming it, and the node stays failed', async () => {
    const id = await f.run(one('retry-schema', task('a', '@test/address', { host: 'db1', port: '${port}' }), { port: { type: 'string', value: 'http' } }));
    await f.waitState(id, 'failed');
    const refused = await f.op(id, 'a', 'retry', { inputs: { port: 'eighty' } });
    assert.equal(refused.status, 400, JSON.stringify(refused.body));
    assert.match(String(refused.body.detail), /body\.inputs: @test\/address: inputs\.port must be integer/);
    const t = await f.get(id);
    assert.deepEqual([t.nodes.a!.state, t.nodes.a!.retries], ['failed', 0], 'nothing was retried');
    assert.equal((await f.op(id, 'a', 'retry', { inputs: { port: 5432 } })).status, 200);
    await f.waitState(id, 'finished');
    assert.equal(((await f.node(id, 'a')).outputs as { address: string }).address, 'db1:5432');
  });

  test('a retry\'s new input may itself be {value, render: false}: it runs literal, unwrapped', async () => {
    const id = await f.run(one('retry-literal', task('a', '@test/flaky', { fail: 'bad input', note: 'rendered ${1 + 1}' })));
    await f.waitState(id, 'failed');
    assert.equal((await f.op(id, 'a', 'retry', { inputs: { fail: false, note: { value: 'echo ${HOME}', render: false } } })).status, 200);
    await f.waitState(id, 'finished');
    const a = await f.node(id, 'a');
    assert.equal(a.inputs.note, 'echo ${HOME}');
    assert.equal((a.outputs as { echo: { note: unknown } }).echo.note, 'echo ${HOME}', 'the plugin got the text, not the wrapper');
  });

  test('inputs given to a retry are for that run only: the node\'s next loop renders its own inputs again', async () => {
    const g = graph('loop-retry-inputs', [
      start(), task('inc', '@test/echo', { value: '${count + 1}' }, { outputs: { value: 'count' } }),
      task('a', '@test/flaky', { fail: '${count == 1 ? "boom" : ""}', batch: '${count}' }), gateway('again', 'exclusive'), end(),
    ], [['start', 'inc'], ['inc', 'a'], ['a', 'again'], ['again', 'inc', { condition: { expression: 'count < 3' } }], ['again', 'end', { default: true }]],
    { count: { type: 'number', value: 0 } });
    const id = await f.run(g);
    await f.waitState(id, 'failed');
    assert.equal((await f.op(id, 'a', 'retry', { inputs: { fail: '', batch: 'by hand' } })).status, 200);
    const t = await f.waitState(id, 'finished');
    assert.equal(t.nodes.a!.loop, 2);
    const a = await f.node(id, 'a');
    assert.deepEqual(a.inputs, { fail: '', batch: 3 });
    assert.deepEqual((a.history as { loop: number; inputs: { batch: unknown } }[]).map((h) => [h.loop, h.inputs.batch]), [[0, 1], [0, 'by hand'], [1, 2]]);
  });

  test('skip passes a failed node without writing its outputs; flags refuse skip and retry', async () => {
    const id = await f.run(one('skip', task('a', '@test/flaky', { fail: 'x' }, { outputs: { attempt: 'attempt' } }), { attempt: { type: 'number', value: -1 } }));
    await f.waitState(id, 'failed');
    assert.equal((await f.op(id, 'a', 'skip')).status, 200);
    const t = await f.waitState(id, 'finished');
    assert.equal(t.nodes.a!.state, 'skipped');
    const next = await f.node(id, 'next');
    assert.ok(next);

    const locked = await f.run(one('locked', task('a', '@test/flaky', { fail: 'x' }, { retryable: false, skippable: false })));
    await f.waitState(locked, 'failed');
    const r1 = await f.op(locked, 'a', 'retry');
    assert.equal(r1.status, 409);
    assert.equal(r1.body.code, 'not_retryable');
    const r2 = await f.op(locked, 'a', 'skip');
    assert.equal(r2.body.code, 'not_skippable');
  });

  test('a start event whose variables fail to render can be skipped: the flow goes on, and those variables have no value (never their ${…} text)', async () => {
    const id = await f.run(graph('bad-start', [start(), task('b', '@test/echo', { value: '${hosts.length}' }), task('a', '@test/echo', { value: '${target}' }), end()],
      [['start', 'b'], ['b', 'a'], ['a', 'end']], { hosts: { type: 'json', value: [] }, target: { type: 'string', value: '${hosts[0].ip}' } }));
    const t = await f.waitState(id, 'failed');
    assert.match(t.nodes.start!.error!, /variable target/);
    assert.equal((await f.op(id, 'start', 'skip')).status, 200);
    const after = await f.waitFor(id, (x) => x.nodes.a!.state === 'failed', 'the node reading target failed');
    assert.deepEqual([after.nodes.start!.state, after.nodes.b!.state], ['skipped', 'finished'], 'a node not reading it ran');
    assert.match(after.nodes.a!.error!, /target/);
    assert.equal((await f.node(id, 'a')).inputs, null, 'no input was rendered from the expression\'s text');
    const vars = await s.admin.call<{ variables: Record<string, unknown> }>('GET', `/api/v1/projects/ops/tasks/${id}/variables`);
    assert.deepEqual(vars.body.variables, { hosts: [] });
  });

  test('timeout fails an attempt, combines with retry, and fail-and-skip skips', async () => {
    const slow = (extra: Record<string, unknown>) => task('a', '@test/poller', { times: 1000, delayMs: 200 }, extra);
    const failed = await f.run(one('timeout', slow({ onError: { timeout: { seconds: 1, action: 'fail' }, retry: { times: 1, intervalMs: 10 } } })));
    const t = await f.waitState(failed, 'failed');
    assert.equal(t.nodes.a!.attempts, 2, 'each attempt had the timeout, then the retry followed');
    assert.match(t.nodes.a!.error!, /timed out after 1 s/);
    const skipped = await f.run(one('timeout-skip', slow({ onError: { timeout: { seconds: 1, action: 'fail-and-skip' } } })));
    const t2 = await f.waitState(skipped, 'finished');
    assert.equal(t2.nodes.a!.state, 'skipped');
    assert.equal(t2.nodes.next!.state, 'finished');
  });

  test("a subflow node's timeout bounds each attempt's child task: the child is revoked, then retry and fail-and-skip apply", async () => {
    const child = await f.template(graph('slow-child', [start(), task('a', '@test/poller', { times: 1000, delayMs: 100 }), end()], [['start', 'a'], ['a', 'end']]));
    const sub = (extra: Record<string, unknown>) => ({ id: 'sub', type: 'subflow', template: { id: child, version: 1 }, params: {}, ...extra }) as FlowNode;
    const failed = await f.run(graph('sub-timeout', [start(), sub({ onError: { timeout: { seconds: 1, action: 'fail' }, retry: { times: 1, intervalMs: 10 } } }), end()], [['start', 'sub'], ['sub', 'end']]));
    const t = await f.waitState(failed, 'failed');
    assert.equal(t.nodes.sub!.attempts, 2, 'each attempt had the timeout, then the retry followed');
    assert.match(t.nodes.sub!.error!, /timed out after 1 s/);
    // Each attempt's child is stopped with it (just after the node moves on).
    const children = await s.ops.db('tasks').where({ parent_task_id: failed }).select('id');
    assert.equal(children.length, 2);
    for (const c of children as { id: string }[]) await f.waitState(c.id, 'revoked');

    const skipped = await f.run(graph('sub-timeout-skip', [start(), sub({ onError: { timeout: { seconds: 1, action: 'fail-and-skip' } } }), task('next', '@test/echo'), end()], [['start', 'sub'], ['sub', 'next'], ['next', 'end']]));
    const t2 = await f.waitState(skipped, 'finished');
    assert.deepEqual([t2.nodes.sub!.state, t2.nodes.next!.state], ['skipped', 'finished']);
    await f.waitState(t2.nodes.sub!.childTaskId!, 'revoked');
  });

  test("a subflow node whose child cannot be built (a param fails to render) follows its error policy: ignore goes on, auto-retry counts attempts", async () => {
    const child = await f.template(graph('param-child', [start(), task('w', '@test/echo', { value: '${host}' }), end()], [['start', 'w'], ['w', 'end']], { host: { type: 'string', show: true } }));
    const parent = (onError: Record<string, unknown>) => graph('param-parent', [
      start(), { id: 'sub', type: 'subflow', template: { id: child, version: 1 }, params: { host: '${hosts[0].ip}' }, onError } as FlowNode, task('next', '@test/echo'), end(),
    ], [['start', 'sub'], ['sub', 'next'], ['next', 'end']], { hosts: { type: 'json', value: [] } });
    const ignored = await f.waitFor(await f.run(parent({ ignore: true })), (t) => t.state === 'finished' || t.state === 'failed', 'an end state');
    assert.equal(ignored.state, 'finished', JSON.stringify(ignored.nodes.sub));
    assert.deepEqual([ignored.nodes.sub!.state, ignored.nodes.sub!.errorIgnored, ignored.nodes.next!.state], ['finished', true, 'finished']);
    assert.match(ignored.nodes.sub!.error!, /param host/);
    const retried = await f.waitState(await f.run(parent({ retry: { times: 2, intervalMs: 10 } })), 'failed');
    assert.equal(retried.nodes.sub!.attempts, 3);
    assert.equal((await f.node(retried.id, 'sub')).history.length, 3);
  });

  test('stopping an attempt stops only that attempt: a retry that started since runs on', async () => {
    const { engine } = s.ops.services.modules.get('flow') as { engine: FlowEngine };
    const id = await f.run(one('stop-one', task('a', '@test/busy', { ms: 800 })));
    await f.waitNode(id, 'a', 'running');
    // What a timeout or force-fail of an earlier attempt sends, arriving after the retry started.
    await engine.abort(id, 'a', 'an-earlier-attempt');
    const t = await f.waitState(id, 'finished');
    assert.equal(t.nodes.a!.attempts, 1);
    const stopped = await f.run(one('stop-this', task('a', '@test/busy', { ms: 5000 })));
    const r = await f.waitNode(stopped, 'a', 'running');
    await engine.abort(stopped, 'a', r.nodes.a!.version);
    const t2 = await f.waitState(stopped, 'failed');
    assert.match(t2.nodes.a!.error!, /cancelled/);
  });

  test('callbacks: stale versions and non-waiting nodes are refused, multiple callbacks are serialised', async () => {
    const id = await f.run(one('callback', task('a', '@test/waiter', { multiple: true })));
    let t = await f.waitNode(id, 'a', 'waiting');
    const version = t.nodes.a!.version;
    const stale = await f.op(id, 'a', 'callback', { version: 'not-the-version', data: 1 });
    assert.equal(stale.status, 409);
    assert.equal(stale.body.code, 'stale_version');
    const results = await Promise.all([1, 2, 3].map((n) => f.op(id, 'a', 'callback', { version, data: { n } })));
    assert.ok(results.every((r) => r.status === 200), JSON.stringify(results.map((r) => r.body)));
    assert.equal((await f.op(id, 'a', 'callback', { version, data: { done: true } })).status, 200);
    t = await f.waitState(id, 'finished');
    const a = await f.node(id, 'a');
    const got = (a.outputs as { got: { n?: number }[] }).got;
    assert.equal(got.length, 4, 'every callback was applied once');
    assert.deepEqual(got.slice(0, 3).map((g) => g.n).sort(), [1, 2, 3]);
    const late = await f.op(id, 'a', 'callback', { version, data: {} });
    assert.equal(late.status, 409);
    assert.match(String(late.body.detail), /the task is finished/);
  });

  test('a callback resent under the same id is taken once, even when the copies arrive together', async () => {
    const id = await f.run(one('callback-ids', task('a', '@test/waiter', { multiple: true })));
    const version = (await f.waitNode(id, 'a', 'waiting')).nodes.a!.version;
    const copies = await Promise.all([1, 2, 3].map(() => f.op(id, 'a', 'callback', { version, id: 'batch-1', data: { n: 1 } })));
    assert.deepEqual(copies.map((r) => r.status).sort(), [200, 409, 409], JSON.stringify(copies.map((r) => r.body)));
    assert.ok(copies.filter((r) => r.status === 409).every((r) => r.body.code === 'duplicate_callback'));
    assert.equal((await f.op(id, 'a', 'callback', { version, id: 'batch-2', data: { n: 2 } })).status, 200, 'another id is another delivery');
    assert.equal((await f.op(id, 'a', 'callback', { version, id: 'batch-1', data: { n: 1 } })).status, 409, 'resent later');
    assert.equal((await f.op(id, 'a', 'callback', { version, data: { done: true } })).status, 200);
    await f.waitState(id, 'finished');
    const got = ((await f.node(id, 'a')).outputs as { got: { n?: number }[] }).got;
    assert.deepEqual(got.map((g) => g.n ?? 'done'), [1, 2, 'done']);
  });

  test('a callback queued behind slow ones (over 5 s in all) waits its turn and is applied', async () => {
    const id = await f.run(one('slow-callbacks', task('a', '@test/waiter', { multiple: true })));
    const version = (await f.waitNode(id, 'a', 'waiting')).nodes.a!.version;
    const results = await Promise.all([1, 2, 3, 4].map((n) => f.op(id, 'a', 'callback', { version, data: { n, busyMs: 1800 } })));
    assert.deepEqual(results.map((r) => r.status), [200, 200, 200, 200], JSON.stringify(results.map((r) => r.body)));
    assert.equal((await f.op(id, 'a', 'callback', { version, data: { done: true } })).status, 200);
    await f.waitState(id, 'finished');
    const got = ((await f.node(id, 'a')).outputs as { got: { n?: number }[] }).got;
    assert.deepEqual(got.slice(0, 4).map((g) => g.n).sort(), [1, 2, 3, 4]);
  });

  test('a poll message that comes before the plugin\'s delay is up (a duplicate, or the sweeper\'s re-send) does not poll early', async () => {
    const { engine } = s.ops.services.modules.get('flow') as { engine: FlowEngine };
    const id = await f.run(one('poll-early', task('a', '@test/poller', { times: 1, delayMs: 60_000 })));
    const t = await f.waitNode(id, 'a', 'waiting');
    // A second wake-up for the same wait; one poll would finish the node.
    await engine.handle({ t: id, n: 'a', v: t.nodes.a!.version, k: 'poll', w: Date.now() });
    assert.equal((await f.get(id)).nodes.a!.state, 'waiting', 'the plugin asked for 60 s before its next poll');
    assert.equal((await f.taskOp(id, 'revoke')).status, 200);
  });

  test('force-fail stops a waiting node; its late callback is refused', async () => {
    const id = await f.run(one('force', task('a', '@test/waiter', {})));
    const t = await f.waitNode(id, 'a', 'waiting');
    assert.equal((await f.op(id, 'next', 'force-fail')).status, 409, 'only running or waiting nodes can be forced to fail');
    assert.equal((await f.op(id, 'a', 'force-fail')).status, 200);
    const failed = await f.waitState(id, 'failed');
    assert.match(failed.nodes.a!.error!, /forced to fail by admin/);
    assert.equal((await f.op(id, 'a', 'callback', { version: t.nodes.a!.version, data: {} })).body.code, 'stale_version');
  });

  test('force-fail stops a node waiting out its retry interval, instead of leaving the operator to wait for every attempt', async () => {
    const id = await f.run(one('force-backoff', task('a', '@test/flaky', { fail: 'boom' }, { onError: { retry: { times: 5, intervalMs: 600_000 } } })));
    const t = await f.waitFor(id, (v) => v.nodes.a!.state === 'ready' && v.nodes.a!.attempts === 1, 'a ready for its next attempt');
    const forced = await f.op(id, 'a', 'force-fail');
    assert.equal(forced.status, 200, JSON.stringify(forced.body));
    const failed = await f.waitState(id, 'failed');
    assert.equal(failed.nodes.a!.state, 'failed');
    assert.match(failed.nodes.a!.error!, /forced to fail by admin/);
    assert.notEqual(failed.nodes.a!.version, t.nodes.a!.version, 'the waiting attempt\'s wake-up no longer applies');
    assert.deepEqual((await f.node(id, 'a')).history.map((h) => (h as { error: string }).error), ['PLUGIN_ERROR: boom'], 'the one attempt that ran, once');
    assert.equal((await f.op(id, 'a', 'skip')).status, 200);
    assert.equal((await f.waitState(id, 'finished')).nodes.a!.attempts, 1, 'no further attempt ran');
  });

  test('concurrent force-fails of one node: one wins, the others are refused, the history keeps one failure', async () => {
    const id = await f.run(one('force-race', task('a', '@test/waiter', {})));
    await f.waitNode(id, 'a', 'waiting');
    const results = await Promise.all(Array.from({ length: 6 }, () => f.op(id, 'a', 'force-fail')));
    assert.equal(results.filter((r) => r.status === 200).length, 1, JSON.stringify(results.map((r) => r.body)));
    assert.ok(results.filter((r) => r.status !== 200).every((r) => r.status === 409), JSON.stringify(results.map((r) => r.body)));
    await f.waitState(id, 'failed');
    assert.equal((await f.node(id, 'a')).history.length, 1);
  });

  test('a retried node starts afresh: no finish time left from the failed run while it runs again', async () => {
    const id = await f.run(one('retry-fresh', task('a', '@test/waiter', {})));
    await f.waitNode(id, 'a', 'waiting');
    assert.equal((await f.op(id, 'a', 'force-fail')).status, 200);
    let t = await f.waitState(id, 'failed');
    assert.ok(t.nodes.a!.finishedAt, 'the failed run has its finish time');
    assert.equal((await f.op(id, 'a', 'retry')).status, 200);
    t = await f.waitNode(id, 'a', 'waiting');
    assert.equal(t.nodes.a!.finishedAt, null);
    assert.equal((await f.op(id, 'a', 'callback', { version: t.nodes.a!.version, data: { ok: true } })).status, 200);
    await f.waitState(id, 'finished');
  });

  test('a failure that arrives after the attempt already ended (a timeout racing its result) archives nothing', async () => {
    const { engine } = s.ops.services.modules.get('flow') as { engine: FlowEngine };
    const id = await f.run(one('late-failure', task('a', '@test/waiter', {})));
    await f.waitNode(id, 'a', 'waiting');
    const loaded = (await engine.task(id))!;
    const row = (await engine.deps.store.node(id, 'a'))!;
    const def = loaded.run.node('a');
    await engine.commit((tx, fx) => engine.failAttempt(tx, fx, loaded.task, row, def, 'first failure'));
    // The same stale view of the attempt again, as a sweeper timeout holding it would fail it.
    await engine.commit((tx, fx) => engine.failAttempt(tx, fx, loaded.task, row, def, 'late failure', { timedOut: true }));
    await f.waitState(id, 'failed');
    const a = await f.node(id, 'a');
    assert.deepEqual((a.history as { error: string }[]).map((h) => h.error), ['first failure']);
    assert.equal(a.error, 'first failure');
  });

  test('pause lets running nodes finish and starts nothing new; resume continues; revoke is final', async () => {
    const id = await f.run(one('pause', task('a', '@test/poller', { times: 5, delayMs: 50 })));
    await f.waitNode(id, 'a', 'waiting');
    assert.equal((await f.taskOp(id, 'pause')).status, 200);
    await f.waitNode(id, 'a', 'finished');
    await new Promise((r) => setTimeout(r, 200));
    let t = await f.get(id);
    assert.equal(t.state, 'paused');
    assert.equal(t.nodes.next!.state, 'ready', 'the next node waits while the task is paused');
    assert.equal((await f.taskOp(id, 'resume')).status, 200);
    await f.waitState(id, 'finished');

    const r = await f.run(one('revoke', task('a', '@test/waiter', {})));
    t = await f.waitNode(r, 'a', 'waiting');
    assert.equal((await f.taskOp(r, 'revoke')).status, 200);
    t = await f.get(r);
    assert.equal(t.state, 'revoked');
    assert.equal(t.nodes.a!.state, 'revoked');
    assert.equal((await f.taskOp(r, 'resume')).status, 409);
    assert.equal((await f.taskOp(r, 'revoke')).status, 409);
    assert.equal((await f.taskOp(r, 'start')).body.code, 'task_already_started');
    // One revoked before it started was never started: it says so instead.
    const never = await f.create(await f.template(one('never-started', task('a', '@test/echo'))));
    assert.equal((await f.taskOp(never, 'revoke')).status, 200);
    const refused = await f.taskOp(never, 'start');
    assert.deepEqual([refused.status, refused.body.code], [409, 'operation_refused']);
    assert.match(String(refused.body.detail), /it is revoked/);
  });

  test('a pause that lands while the end node runs does not leave the task running with nothing left to run', async () => {
    const { engine } = s.ops.services.modules.get('flow') as { engine: FlowEngine };
    const store = engine.deps.store;
    const step = store.step.bind(store);
    let id = '';
    let paused = false;
    // The pause commits after the end node's step read its task as running, before that step commits.
    store.step = async (taskId, nodeId) => {
      const found = await step(taskId, nodeId);
      if (taskId === id && nodeId === 'end' && !paused) {
        paused = true;
        assert.equal((await f.taskOp(id, 'pause')).status, 200);
      }
      return found;
    };
    try {
      id = await f.create(await f.template(one('pause-at-end', task('a', '@test/echo'))));
      assert.equal((await f.taskOp(id, 'start')).status, 200);
      await f.waitNode(id, 'end', 'finished');
    } finally {
      store.step = step;
    }
    assert.ok(paused);
    if ((await f.get(id)).state === 'paused') assert.equal((await f.taskOp(id, 'resume')).status, 200);
    const t = await f.waitState(id, 'finished');
    assert.ok(Object.values(t.nodes).every((n) => n!.state === 'finished'));
  });

  test('a pause and resume while a node\'s plugin call is starting do not run the call a second time', async () => {
    const { engine } = s.ops.services.modules.get('flow') as { engine: FlowEngine };
    const { store, plugins } = engine.deps;
    const invoke = plugins.invoke.bind(plugins);
    const casNode = store.casNode.bind(store);
    let id = '';
    let calls = 0;
    let second: () => void = () => undefined;
    const secondCall = new Promise<void>((r) => { second = r; });
    const meanwhile = (ms: number) => Promise.race([secondCall, new Promise((r) => setTimeout(r, ms))]);
    plugins.invoke = async (req) => {
      if (req.context.taskId === id && req.context.nodeId === 'a' && ++calls === 1) {
        // The call has begun; its node still says ready (it is claimed lazily), when the operator pauses and resumes.
        assert.equal((await f.taskOp(id, 'pause')).status, 200);
        assert.equal((await f.taskOp(id, 'resume')).status, 200);
        await meanwhile(2000);
      } else if (req.context.taskId === id && req.context.nodeId === 'a') second();
      return invoke(req);
    };
    // The claim is written a moment late, as on a loaded machine (well within the engine's window for it).
    store.casNode = async (taskId, nodeId, from, version, patch, tx) => {
      if (taskId === id && nodeId === 'a' && tx === undefined && patch.state === 'running' && from.includes('ready')) await meanwhile(500);
      return casNode(taskId, nodeId, from, version, patch, tx);
    };
    try {
      id = await f.create(await f.template(one('pause-resume-lazy', task('a', '@test/echo'))));
      assert.equal((await f.taskOp(id, 'start')).status, 200);
      await f.waitState(id, 'finished');
      await new Promise((r) => setTimeout(r, 1500));
    } finally {
      plugins.invoke = invoke;
      store.casNode = casNode;
    }
    assert.equal(calls, 1, 'the plugin ran again for the resume');
  });

  test('revoking a subflow\'s child task fails the subflow node instead of leaving it waiting', async () => {
    const child = await f.template(graph('revoked-child', [start(), task('wait', '@test/waiter', {}), end()], [['start', 'wait'], ['wait', 'end']]));
    const id = await f.run(graph('revoked-parent', [start(), { id: 'sub', type: 'subflow', template: { id: child, version: 1 }, params: {} }, task('next', '@test/echo'), end()],
      [['start', 'sub'], ['sub', 'next'], ['next', 'end']]));
    const childId = (await f.waitNode(id, 'sub', 'waiting')).nodes.sub!.childTaskId!;
    await f.waitNode(childId, 'wait', 'waiting');
    assert.equal((await f.taskOp(childId, 'revoke')).status, 200);
    const t = await f.waitState(id, 'failed');
    assert.equal(t.nodes.sub!.state, 'failed');
    assert.match(t.nodes.sub!.error!, /revoked/);
    assert.equal(t.nodes.next!.state, 'pending');
  });

  test('retrying a failed node inside a failed subflow lets every parent up the chain continue', async () => {
    const leaf = await f.template(graph('revive-leaf', [start(), task('a', '@test/flaky', { fail: 'bad' }), end()], [['start', 'a'], ['a', 'end']]));
    const middle = await f.template(graph('revive-middle', [start(), subflow('sub', leaf), end()], [['start', 'sub'], ['sub', 'end']]));
    const id = await f.run(graph('revive-top', [start(), subflow('sub', middle), task('next', '@test/echo'), end()], [['start', 'sub'], ['sub', 'next'], ['next', 'end']]));
    const top = await f.waitState(id, 'failed');
    const mid = await f.waitState(top.nodes.sub!.childTaskId!, 'failed');
    const leafId = mid.nodes.sub!.childTaskId!;
    assert.equal((await f.get(leafId)).state, 'failed');
    assert.equal((await f.op(leafId, 'a', 'retry', { inputs: { fail: false } })).status, 200);
    // The revival commits with the retry: the whole chain is out of failed at once (and may be done already).
    for (const was of [top, mid]) {
      const t = await f.get(was.id);
      assert.notEqual(t.state, 'failed', was.id);
      assert.notEqual(t.nodes.sub!.state, 'failed', was.id);
      assert.notEqual(t.nodes.sub!.version, was.nodes.sub!.version, 'the subflow node runs under a new version');
    }
    const done = await f.waitState(id, 'finished');
    assert.equal(done.nodes.next!.state, 'finished');
    assert.equal((await f.get(mid.id)).state, 'finished');
    assert.equal((await f.node(id, 'sub')).history.length, 1, 'the failure stays in the subflow node\'s history');
  });

  test('a revived subflow that fails again fails its parent again; skipping its node then lets the parent finish', async () => {
    const child = await f.template(graph('refail-child', [start(), task('a', '@test/flaky', { fail: 'bad' }), end()], [['start', 'a'], ['a', 'end']]));
    const id = await f.run(graph('refail-parent', [start(), subflow('sub', child), task('next', '@test/echo'), end()], [['start', 'sub'], ['sub', 'next'], ['next', 'end']]));
    const first = await f.waitState(id, 'failed');
    const childId = first.nodes.sub!.childTaskId!;
    await f.waitState(childId, 'failed');
    assert.equal((await f.op(childId, 'a', 'retry')).status, 200);
    await f.waitFor(id, (t) => t.state === 'failed' && t.nodes.sub!.version !== first.nodes.sub!.version, 'failed again, under a new version');
    assert.equal((await f.node(id, 'sub')).history.length, 2);
    assert.equal((await f.op(childId, 'a', 'skip')).status, 200);
    const done = await f.waitState(id, 'finished');
    assert.equal(done.nodes.sub!.state, 'finished');
    assert.equal(done.nodes.next!.state, 'finished');
  });

  test('retrying a subflow node closes its failed child: the old child cannot run on beside the new one; one whose parent is revoked is not revived', async () => {
    const child = await f.template(graph('stale-child', [start(), task('a', '@test/flaky', { fail: 'bad' }), end()], [['start', 'a'], ['a', 'end']]));
    const parent = graph('stale-parent', [start(), subflow('sub', child), end()], [['start', 'sub'], ['sub', 'end']]);
    const id = await f.run(parent);
    const oldChild = (await f.waitState(id, 'failed')).nodes.sub!.childTaskId!;
    assert.equal((await f.op(id, 'sub', 'retry')).status, 200);
    assert.equal((await f.get(oldChild)).state, 'revoked', 'closed with the retry');
    const newChild = (await f.waitFor(id, (t) => t.state === 'failed' && t.nodes.sub!.childTaskId !== oldChild, 'a second child failed')).nodes.sub!.childTaskId!;
    const stale = await f.op(oldChild, 'a', 'retry', { inputs: { fail: false } });
    assert.equal(stale.status, 409);
    assert.equal(stale.body.code, 'subflow_closed');
    assert.match(String(stale.body.detail), /subflow node sub of task .* moved on from this task \(an operator retried the node/);
    const old = await f.get(oldChild);
    assert.deepEqual([old.state, old.nodes.a!.state], ['revoked', 'failed'], 'the refused retry changed nothing');
    const t = await f.get(id);
    assert.deepEqual([t.state, t.nodes.sub!.state, t.nodes.sub!.childTaskId], ['failed', 'failed', newChild]);

    // Revoking a tree revokes the parent first, then its children: a child op in between is refused.
    const { engine } = s.ops.services.modules.get('flow') as { engine: FlowEngine };
    const revoked = await f.run(parent);
    const orphan = (await f.waitState(revoked, 'failed')).nodes.sub!.childTaskId!;
    await f.waitState(orphan, 'failed');
    assert.ok(await engine.deps.store.casTask(revoked, ['failed'], { state: 'revoked' }));
    const refused = await f.op(orphan, 'a', 'retry', { inputs: { fail: false } });
    assert.equal(refused.status, 409);
    assert.equal(refused.body.code, 'parent_revoked');
    const left = await f.get(orphan);
    assert.deepEqual([left.state, left.nodes.a!.state], ['failed', 'failed'], 'the refused retry changed nothing');
    assert.equal((await f.get(revoked)).nodes.sub!.state, 'failed');
  });

  test("a subflow node's auto-retry closes the failed child in the same step: an operator cannot revive it, so the subflow's work runs once per attempt", async () => {
    const child = await f.template(graph('retry-closed-child', [start(), task('a', '@test/flaky', { fail: 'bad' }), end()], [['start', 'a'], ['a', 'end']]));
    const id = await f.run(graph('retry-closed-parent', [start(), { ...subflow('sub', child), onError: { retry: { times: 1, intervalMs: 1500 } } } as FlowNode, end()], [['start', 'sub'], ['sub', 'end']]));
    const pending = await f.waitFor(id, (t) => t.nodes.sub!.state === 'ready' && t.nodes.sub!.attempts === 1, 'the auto-retry waiting out its interval');
    const oldChild = pending.nodes.sub!.childTaskId!;
    const closed = await f.get(oldChild);
    assert.equal(closed.state, 'revoked', 'closed in the step that scheduled the retry');
    assert.match(closed.error!, /subflow node sub of task .* moved on from this task \(it retries with a new child task after 1500 ms\)/);
    for (const [verb, body] of [['retry', { inputs: { fail: false } }], ['skip', {}]] as const) {
      const refused = await f.op(oldChild, 'a', verb, body);
      assert.equal(refused.status, 409, verb);
      assert.equal(refused.body.code, 'subflow_closed', verb);
      assert.match(String(refused.body.detail), new RegExp(`operate task ${id} instead`));
    }
    const t = await f.waitState(id, 'failed');
    assert.equal(t.nodes.sub!.attempts, 2);
    assert.notEqual(t.nodes.sub!.childTaskId, oldChild);
    const old = await f.get(oldChild);
    assert.deepEqual([old.state, old.nodes.a!.state, old.nodes.end!.state], ['revoked', 'failed', 'pending'], 'the old child never ran again');
    assert.equal((await f.node(oldChild, 'a')).history.length, 1);
  });

  test('a subflow node that moves on from its failed child (ignored, skipped, force-failed) closes it', async () => {
    const child = await f.template(graph('moved-on-child', [start(), task('a', '@test/flaky', { fail: 'bad' }), end()], [['start', 'a'], ['a', 'end']]));
    const parent = (extra: Record<string, unknown> = {}) => graph('moved-on-parent', [start(), { ...subflow('sub', child), ...extra } as FlowNode, task('next', '@test/echo'), end()], [['start', 'sub'], ['sub', 'next'], ['next', 'end']]);
    const refusedIn = async (childId: string, why: RegExp) => {
      assert.equal((await f.get(childId)).state, 'revoked');
      const r = await f.op(childId, 'a', 'retry', { inputs: { fail: false } });
      assert.deepEqual([r.status, r.body.code], [409, 'subflow_closed']);
      assert.match(String(r.body.detail), why);
    };
    const ignored = await f.waitState(await f.run(parent({ onError: { ignore: true } })), 'finished');
    assert.equal(ignored.nodes.sub!.errorIgnored, true);
    await refusedIn(ignored.nodes.sub!.childTaskId!, /its failure was ignored/);

    const skipped = await f.run(parent());
    const failedChild = (await f.waitState(skipped, 'failed')).nodes.sub!.childTaskId!;
    assert.equal((await f.op(skipped, 'sub', 'skip')).status, 200);
    await refusedIn(failedChild, /an operator skipped the node/);
    await f.waitState(skipped, 'finished');

    // Force-failing a waiting subflow node closes its running child too.
    const waiter = await f.template(graph('moved-on-waiter', [start(), task('w', '@test/waiter', {}), end()], [['start', 'w'], ['w', 'end']]));
    const forced = await f.run(graph('moved-on-forced', [start(), subflow('sub', waiter), end()], [['start', 'sub'], ['sub', 'end']]));
    const running = (await f.waitNode(forced, 'sub', 'waiting')).nodes.sub!.childTaskId!;
    await f.waitNode(running, 'w', 'waiting');
    assert.equal((await f.op(forced, 'sub', 'force-fail')).status, 200);
    const revoked = await f.get(running);
    assert.deepEqual([revoked.state, revoked.nodes.w!.state], ['revoked', 'revoked'], 'revoked with the forced failure');
    assert.match(revoked.error!, /forced to fail by admin/);
    const r = await f.op(running, 'w', 'retry');
    assert.deepEqual([r.status, r.body.code], [409, 'subflow_closed'], 'closed by the force-fail, and said so');
  });

  test('pausing a task pauses its subflows\' child tasks down the chain; resume resumes them, also one paused on its own', async () => {
    const leaf = await f.template(graph('pause-leaf', [start(), task('w', '@test/poller', { times: 6, delayMs: 50 }), task('n', '@test/echo'), end()], [['start', 'w'], ['w', 'n'], ['n', 'end']]));
    const middle = await f.template(graph('pause-middle', [start(), subflow('sub', leaf), end()], [['start', 'sub'], ['sub', 'end']]));
    const top = graph('pause-top', [start(), subflow('sub', middle), task('next', '@test/echo'), end()], [['start', 'sub'], ['sub', 'next'], ['next', 'end']]);
    const id = await f.run(top);
    const middleId = (await f.waitNode(id, 'sub', 'waiting')).nodes.sub!.childTaskId!;
    const leafId = (await f.waitNode(middleId, 'sub', 'waiting')).nodes.sub!.childTaskId!;
    await f.waitNode(leafId, 'w', 'waiting');
    assert.equal((await f.taskOp(id, 'pause')).status, 200);
    assert.deepEqual([(await f.get(middleId)).state, (await f.get(leafId)).state], ['paused', 'paused']);
    await f.waitNode(leafId, 'w', 'finished');
    await new Promise((r) => setTimeout(r, 200));
    assert.equal((await f.get(leafId)).nodes.n!.state, 'ready', 'nothing new starts in a paused parent\'s subflow');
    assert.equal((await f.taskOp(id, 'resume')).status, 200);
    for (const child of [middleId, leafId]) assert.notEqual((await f.get(child)).state, 'paused', child);
    await f.waitState(id, 'finished');

    // Pausing only the subflow leaves the parent running; resuming the parent resumes everything.
    const alone = await f.run(top);
    const sub = (await f.waitNode(alone, 'sub', 'waiting')).nodes.sub!.childTaskId!;
    assert.equal((await f.op(alone, 'sub', 'pause')).status, 200);
    assert.deepEqual([(await f.get(alone)).state, (await f.get(sub)).state], ['running', 'paused']);
    assert.equal((await f.taskOp(alone, 'pause')).status, 200);
    assert.equal((await f.taskOp(alone, 'resume')).status, 200);
    assert.notEqual((await f.get(sub)).state, 'paused', 'the subflow paused on its own resumed with its parent');
    await f.waitState(alone, 'finished');
  });

  test('a node that fails inside a paused subflow fails the parent\'s subflow node once resumed', async () => {
    const child = await f.template(graph('paused-fail-child', [start(), task('a', '@test/poller', { times: 1000, delayMs: 50 }, { onError: { timeout: { seconds: 1, action: 'fail' } } }), end()], [['start', 'a'], ['a', 'end']]));
    const id = await f.run(graph('paused-fail-parent', [start(), subflow('sub', child), end()], [['start', 'sub'], ['sub', 'end']]));
    const childId = (await f.waitNode(id, 'sub', 'waiting')).nodes.sub!.childTaskId!;
    await f.waitNode(childId, 'a', 'waiting');
    assert.equal((await f.taskOp(id, 'pause')).status, 200);
    await f.waitNode(childId, 'a', 'failed');
    assert.equal((await f.taskOp(id, 'resume')).status, 200);
    const t = await f.waitState(id, 'failed');
    assert.equal(t.nodes.sub!.state, 'failed');
    assert.equal((await f.get(childId)).state, 'failed');
  });

  test('a breakpoint stops before the node until continued', async () => {
    const tid = await f.template(one('breakpoint', task('a', '@test/echo')));
    const id = await f.create(tid);
    assert.equal((await f.op(id, 'a', 'breakpoint', { enabled: true })).status, 200);
    await f.taskOp(id, 'start');
    await f.waitNode(id, 'a', 'suspended');
    assert.equal((await f.op(id, 'a', 'continue')).status, 200);
    await f.waitState(id, 'finished');
  });

  test('a breakpoint set on a failed node stops its retry, also when the node passed a breakpoint before', async () => {
    const id = await f.create(await f.template(one('breakpoint-retry', task('a', '@test/flaky', { fail: 'boom' }))));
    assert.equal((await f.op(id, 'a', 'breakpoint', { enabled: true })).status, 200);
    await f.taskOp(id, 'start');
    await f.waitNode(id, 'a', 'suspended');
    assert.equal((await f.op(id, 'a', 'continue')).status, 200);
    await f.waitState(id, 'failed');
    // The operator sets the breakpoint (again) to look at the node before its retry runs.
    assert.equal((await f.op(id, 'a', 'breakpoint', { enabled: true })).status, 200);
    assert.equal((await f.op(id, 'a', 'retry')).status, 200);
    await f.waitNode(id, 'a', 'suspended');
    assert.equal((await f.get(id)).nodes.a!.attempts, 0, 'the retry has not run');
    assert.equal((await f.op(id, 'a', 'retry', { inputs: { fail: false } })).status, 409);
    assert.equal((await f.op(id, 'a', 'breakpoint', { enabled: false })).status, 200);
    await f.waitState(id, 'failed');
  });

  test('clearing a breakpoint twice at once (a double click) releases the suspended node once, and neither request is refused', async () => {
    const id = await f.create(await f.template(one('breakpoint-clear', task('a', '@test/echo'))));
    assert.equal((await f.op(id, 'a', 'breakpoint', { enabled: true })).status, 200);
    await f.taskOp(id, 'start');
    await f.waitNode(id, 'a', 'suspended');
    // The first request reads the node suspended; the second clears it and releases the node before the first goes on.
    const { tasks } = s.ops.services.modules.get('flow') as { tasks: TaskService };
    const node = tasks.node.bind(tasks);
    let second: Awaited<ReturnType<Flows['op']>> | undefined;
    tasks.node = (async (projectId: string, taskId: string, nodeId: string) => {
      tasks.node = node;
      const read = await node(projectId, taskId, nodeId);
      second = await f.op(id, 'a', 'breakpoint', { enabled: false });
      return read;
    }) as TaskService['node'];
    try {
      const first = await f.op(id, 'a', 'breakpoint', { enabled: false });
      assert.deepEqual([first.status, second?.status], [200, 200], JSON.stringify([first.body, second?.body]));
    } finally {
      tasks.node = node;
    }
    const t = await f.waitState(id, 'finished');
    assert.deepEqual([t.nodes.a!.attempts, (await f.node(id, 'a')).breakpoint], [1, false]);
  });

  test('a failed conditional-parallel gateway continues on chosen flows, and shows it was skipped', async () => {
    const g = graph('cpg-skip', [start(), gateway('g', 'conditional-parallel'), task('a', '@test/echo'), task('b', '@test/echo'), task('c', '@test/echo'), gateway('j', 'converge'), end()],
      [['start', 'g'], ['g', 'a', { id: 'ga', condition: { expression: 'false' } }], ['g', 'b', { id: 'gb', condition: { expression: 'false' } }], ['g', 'c', { id: 'gc', condition: { expression: 'false' } }],
        ['a', 'j'], ['b', 'j'], ['c', 'j'], ['j', 'end']]);
    const id = await f.run(g);
    const t = await f.waitState(id, 'failed');
    assert.match(t.nodes.g!.error!, /no condition/);
    assert.ok(t.nodes.g!.startedAt, 'the failed evaluation has a start time');
    const skipped = await f.op(id, 'g', 'skip-gateway', { flowIds: ['ga', 'gb'] });
    assert.equal(skipped.status, 200);
    assert.deepEqual([skipped.body.state, skipped.body.skipped], ['skipped', true]);
    const done = await f.waitState(id, 'finished');
    // The converge waits for the chosen flows only, as before; the one not chosen is not run.
    assert.deepEqual(['a', 'b', 'c', 'j'].map((n) => done.nodes[n]!.state), ['finished', 'finished', 'pending', 'finished']);
    const view = done.nodes.g! as typeof done.nodes.g & { skipped: boolean };
    assert.deepEqual([view.state, view.skipped], ['skipped', true]);
    assert.match(view.error!, /no condition/, 'the error that made an operator skip it stays');
    assert.ok(view.startedAt && view.finishedAt && view.startedAt <= view.finishedAt);
    const detail = await f.node(id, 'g');
    assert.deepEqual([detail.state, detail.skipped], ['skipped', true]);
    assert.deepEqual((detail.history as { state: string; startedAt: string | null }[]).map((h) => [h.state, h.startedAt]), [['failed', t.nodes.g!.startedAt]]);
  });

  test('operations need the operator role', async () => {
    const viewer = await memberFlows(s, 'viewer1', 'viewer');
    const id = await f.create(await f.template(one('roles', task('a', '@test/echo'))));
    assert.equal((await viewer.taskOp(id, 'start')).status, 403);
    assert.equal((await viewer.get(id)).state, 'created');
  });

  test('an operator retries a node as it is; new inputs need the developer role', async () => {
    const [operator, developer] = [await memberFlows(s, 'oper1', 'operator'), await memberFlows(s, 'dev1', 'developer')];
    const id = await f.run(one('retry-roles', task('a', '@test/flaky', { fail: 'boom' })));
    await f.waitState(id, 'failed');
    const refused = await operator.op(id, 'a', 'retry', { inputs: { fail: '' } });
    assert.deepEqual([refused.status, refused.body.code], [403, 'forbidden']);
    assert.match(String(refused.body.detail), /needs the project role developer; retry without inputs/);
    assert.equal((await operator.op(id, 'a', 'retry')).status, 200, 'as it is');
    await f.waitState(id, 'failed');
    assert.equal((await operator.op(id, 'a', 'retry', { inputs: {} })).status, 200, 'no new input is a retry as it is');
    await f.waitState(id, 'failed');
    assert.equal((await developer.op(id, 'a', 'retry', { inputs: { fail: '' } })).status, 200);
    await f.waitState(id, 'finished');
  });

  test('server-sent events give a snapshot and then every transition', async () => {
    const tid = await f.template(one('sse', task('a', '@test/echo')));
    const id = await f.create(tid);
    const res = await fetch(`${s.url}${f.base}/tasks/${id}/events`, { headers: { authorization: `Bearer ${s.adminToken}` } });
    assert.match(res.headers.get('content-type')!, /^text\/event-stream/);
    const reader = res.body!.getReader();
    let text = '';
    const decoder = new TextDecoder();
    await f.taskOp(id, 'start');
    while (!/"type":"task","taskId":"[^"]+","state":"finished"/.test(text)) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value);
    }
    await reader.cancel();
    assert.match(text, /event: snapshot/);
    assert.match(text, /"nodeId":"a","state":"running"/);
    assert.match(text, /"nodeId":"a","state":"finished"/);
    assert.ok(text.indexOf('"nodeId":"a","state":"running"') < text.indexOf('"nodeId":"a","state":"finished"'), 'running came after finished');
  });

  test('server-sent events: a transition that commits while the snapshot is read comes after the snapshot, not before it', async () => {
    const id = await f.run(one('sse-race', task('a', '@test/waiter')));
    const { version } = (await f.waitNode(id, 'a', 'waiting')).nodes.a!;
    // The snapshot is read, then the callback lets the task finish before the snapshot is sent.
    const { tasks } = s.ops.services.modules.get('flow') as { tasks: TaskService };
    const status = tasks.status.bind(tasks);
    tasks.status = (async (projectId: string, taskId: string, withGraph: boolean) => {
      tasks.status = status; // only the stream's read; the waits below read the task too
      const read = await status(projectId, taskId, withGraph as false);
      assert.equal((await f.op(id, 'a', 'callback', { version, data: {} })).status, 200);
      await f.waitState(id, 'finished');
      await new Promise((r) => setTimeout(r, 200));
      return read;
    }) as TaskService['status'];
    let text = '';
    const finishedAfterSnapshot = () => /event: snapshot[\s\S]*"type":"task","taskId":"[^"]+","state":"finished"/.test(text);
    try {
      const res = await fetch(`${s.url}${f.base}/tasks/${id}/events`, { headers: { authorization: `Bearer ${s.adminToken}` } });
      const reader = res.body!.getReader();
      const decoder = new TextDecoder();
      const deadline = Date.now() + 3000;
      while (!finishedAfterSnapshot() && Date.now() < deadline) {
        const chunk = await Promise.race([reader.read(), new Promise<undefined>((r) => setTimeout(() => r(undefined), deadline - Date.now()))]);
        if (!chunk || chunk.done) break;
        text += decoder.decode(chunk.value);
      }
      await reader.cancel();
    } finally {
      tasks.status = status;
    }
    assert.ok(text.startsWith('event: snapshot'), `the stream starts with the snapshot: ${text.slice(0, 200)}`);
    assert.ok(finishedAfterSnapshot(), `the task's end follows the snapshot that still shows it running: ${text}`);
  });

  /** Counts the event-bus subscriptions open from now until `restore`. */
  function countSubscriptions(): { open(): number; restore(): void } {
    const events = s.ops.coordination.events;
    const subscribe = events.subscribe.bind(events);
    let open = 0;
    events.subscribe = async (channel, handler) => {
      const unsubscribe = await subscribe(channel, handler);
      open++;
      return async () => { open--; await unsubscribe(); };
    };
    return { open: () => open, restore: () => { events.subscribe = subscribe; } };
  }

  test('a client that leaves server-sent events while the snapshot is read keeps no subscription', async () => {
    const id = await f.run(one('sse-leave', task('a', '@test/echo')));
    await f.waitState(id, 'finished');
    const subscriptions = countSubscriptions();
    const tasks = (s.ops.services.modules.get('flow') as { tasks: TaskService }).tasks;
    const status = tasks.status.bind(tasks);
    let reading!: () => void;
    const snapshotRead = new Promise<void>((r) => { reading = r; });
    tasks.status = (async (projectId: string, taskId: string, withGraph: boolean) => {
      reading();
      await new Promise((r) => setTimeout(r, 300));
      return status(projectId, taskId, withGraph as false);
    }) as TaskService['status'];
    try {
      const leave = new AbortController();
      const res = fetch(`${s.url}${f.base}/tasks/${id}/events`, { headers: { authorization: `Bearer ${s.adminToken}` }, signal: leave.signal });
      await snapshotRead;
      leave.abort();
      await res.catch(() => undefined);
      await new Promise((r) => setTimeout(r, 600));
      assert.equal(subscriptions.open(), 0, 'the subscription ended with the client');
    } finally {
      subscriptions.restore();
      tasks.status = status;
    }
  });

  test('server-sent events for a task that is not there answer 404 and keep no subscription', async () => {
    const subscriptions = countSubscriptions();
    try {
      const res = await fetch(`${s.url}${f.base}/tasks/no-such-task/events`, { headers: { authorization: `Bearer ${s.adminToken}` } });
      assert.equal(res.status, 404);
      await res.text();
      assert.equal(subscriptions.open(), 0, 'the subscription made before the snapshot was dropped');
    } finally {
      subscriptions.restore();
    }
  });
});
