import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { TestServer } from '../test-support/test-server.js';
import { openFlowServer, type Flows } from '../test-support/flow-server.js';
import { end, gateway, graph, start, task } from '../test-support/flow-helpers.js';

/** The engine runs flows through the real API, the real sandboxed runtime and real plugins. */
describe('flow execution', () => {
  let s: TestServer;
  let f: Flows;
  before(async () => ({ s, f } = await openFlowServer()));
  after(() => s.close());

  test('a sequence renders variables, system variables and earlier outputs, and finishes', async () => {
    const g = graph('sequence', [
      start(),
      task('a', '@test/echo', { value: '${greeting}, ${who}!', raw: '${hosts}', task: '${_system.task_id}', literal: { value: 'echo ${HOME}', render: false } }, { outputs: { value: 'said' } }),
      task('b', '@test/echo', { value: '${said.length}', heard: '${said}' }, { outputs: { value: 'size' } }),
      end(),
    ], [['start', 'a'], ['a', 'b'], ['b', 'end']], {
      greeting: { type: 'string', value: 'Hello' }, who: { type: 'string', show: true, required: true }, hosts: { type: 'json', value: ['10.0.0.1', '10.0.0.2'] },
      said: { type: 'string' }, size: { type: 'number' },
    }, ['said', 'size']);
    const id = await f.run(g, { variables: { who: 'ops' } });
    const done = await f.waitState(id, 'finished');
    assert.deepEqual(Object.values(done.nodes).map((n) => n.state), ['finished', 'finished', 'finished', 'finished']);
    const a = await f.node(id, 'a');
    assert.deepEqual(a.inputs, { value: 'Hello, ops!', raw: ['10.0.0.1', '10.0.0.2'], task: id, literal: 'echo ${HOME}' });
    const b = await f.node(id, 'b');
    assert.equal(b.inputs.value, 11, 'a whole-string expression keeps its type');
    assert.equal(b.inputs.heard, 'Hello, ops!');
    assert.equal((b.outputs as Record<string, unknown>)._result, true);
  });

  test('a task\'s variables and results can be read; a password variable shows as ****** in every view, while plugins get its value', async () => {
    const secret = 's3cret-pass';
    const g = graph('passwords', [
      start(),
      task('a', '@test/echo', { value: '${pw}', url: 'https://deploy:${pw}@git.example.com/app', size: '${pw.length}' }),
      task('b', '@test/echo', { value: 42 }, { outputs: { value: 'answer' } }),
      end(),
    ], [['start', 'a'], ['a', 'b'], ['b', 'end']], {
      pw: { type: 'password', show: true, required: true }, answer: { type: 'number' },
    }, ['answer']);
    const id = await f.run(g, { variables: { pw: secret } });
    await f.waitState(id, 'finished');
    const views = {
      task: await s.admin.call('GET', `/api/v1/projects/ops/tasks/${id}`),
      node: await s.admin.call('GET', `/api/v1/projects/ops/tasks/${id}/nodes/a`),
      logs: await s.admin.call('GET', `/api/v1/projects/ops/tasks/${id}/nodes/a/logs`),
      variables: await s.admin.call('GET', `/api/v1/projects/ops/tasks/${id}/variables`),
    };
    for (const [name, r] of Object.entries(views)) {
      assert.equal(r.status, 200, name);
      assert.ok(!JSON.stringify(r.body).includes(secret), `the ${name} view shows the password`);
    }
    assert.equal((views.task.body as { variables: Record<string, unknown> }).variables.pw, '******');
    const a = views.node.body as { inputs: Record<string, unknown>; outputs: { echo: Record<string, unknown> } };
    assert.deepEqual(a.inputs, { value: '******', url: 'https://deploy:******@git.example.com/app', size: secret.length }, 'the plugin got the value itself');
    assert.equal(a.outputs.echo.value, '******');
    assert.deepEqual(views.variables.body, { variables: { pw: '******', answer: 42 }, outputs: { answer: 42 } });
  });

  test('a password passed to a subflow stays masked in the child task, whatever type the child gives it', async () => {
    const secret = 'Sup3rSecretValue';
    const child = await f.template(graph('db-login', [start(), task('login', '@test/echo', { url: 'db://u:${cred}@h' }), end()], [['start', 'login'], ['login', 'end']],
      { cred: { type: 'string', show: true } }));
    const id = await f.run(graph('with-child', [start(), { id: 'sub', type: 'subflow', template: { id: child, version: 1 }, params: { cred: '${pw}' } }, end()],
      [['start', 'sub'], ['sub', 'end']], { pw: { type: 'password', show: true } }), { variables: { pw: secret } });
    const parent = await f.waitState(id, 'finished');
    const childId = parent.nodes.sub!.childTaskId!;
    for (const path of [`tasks/${childId}`, `tasks/${childId}/variables`, `tasks/${childId}/nodes/login`, `tasks/${id}/nodes/sub`]) {
      const r = await s.admin.call('GET', `/api/v1/projects/ops/${path}`);
      assert.equal(r.status, 200, path);
      assert.ok(!JSON.stringify(r.body).includes(secret), `${path} shows the password`);
    }
    assert.equal((await f.node(childId, 'login')).inputs.url, 'db://u:******@h');
  });

  test('a variable whose default reads another variable holding an expression gets its rendered value, in any declaration order', async () => {
    const id = await f.run(graph('chained-vars', [start(), task('a', '@test/echo', { last: '${c}', middle: '${b}' }), end()], [['start', 'a'], ['a', 'end']], {
      x: { type: 'string', value: 'X' }, a: { type: 'string', value: '${x}' }, b: { type: 'string', value: '${a}-1' }, c: { type: 'string', value: '${b}-2' },
    }));
    const t = await f.waitFor(id, (v) => v.state === 'finished' || v.state === 'failed', 'an end state');
    assert.equal(t.state, 'finished', JSON.stringify(t.nodes.start));
    assert.deepEqual((await f.node(id, 'a')).inputs, { last: 'X-1-2', middle: 'X-1' });
  });

  test('expressions inside a list or object variable are rendered at the start, as validation reads them', async () => {
    const id = await f.run(graph('nested-vars', [start(), task('a', '@test/echo', { targets: '${targets}', web: '${web}' }), end()], [['start', 'a'], ['a', 'end']], {
      prefix: { type: 'string', value: 'web' }, targets: { type: 'json', value: ['${prefix}-1', '${prefix}-2'] }, web: { type: 'json', value: { name: '${prefix}', hosts: '${targets}' } },
    }));
    const t = await f.waitFor(id, (v) => v.state === 'finished' || v.state === 'failed', 'an end state');
    assert.equal(t.state, 'finished', JSON.stringify(t.nodes.start));
    assert.deepEqual((await f.node(id, 'a')).inputs, { targets: ['web-1', 'web-2'], web: { name: 'web', hosts: ['web-1', 'web-2'] } });
  });

  test('a plugin call that outlasts the claim delay shows running with its attempt; a quick one finishes without it; both run once', async () => {
    const id = await f.run(graph('slow-and-quick', [start(), task('quick', '@test/echo', { value: 1 }), task('slow', '@test/busy', { ms: 600 }), end()],
      [['start', 'quick'], ['quick', 'slow'], ['slow', 'end']]));
    const running = await f.waitNode(id, 'slow', 'running');
    assert.equal(running.nodes.slow!.attempts, 1, 'the claim recorded the attempt while the call ran');
    assert.equal(running.nodes.quick!.state, 'finished');
    const done = await f.waitState(id, 'finished');
    assert.equal(done.nodes.quick!.attempts, 1);
    assert.equal(done.nodes.slow!.attempts, 1);
    assert.deepEqual(((await f.node(id, 'slow')).outputs as Record<string, unknown>).ms, 600);
    assert.ok(Date.parse(String((await f.node(id, 'slow')).startedAt)) > 0, 'the start time is kept');
    assert.ok(Date.parse(String((await f.node(id, 'quick')).startedAt)) > 0, 'a call claimed with its outcome keeps its start time too');
  });

  test('a required variable without a value and an unknown variable are refused at creation', async () => {
    const tid = await f.template(graph('needs', [start(), task('a', '@test/echo', { value: '${who}' }), end()], [['start', 'a'], ['a', 'end']], { who: { type: 'string', required: true, show: true } }));
    const missing = await s.admin.call<{ errors: { path: string }[] }>('POST', `${f.base}/tasks`, { templateId: tid });
    assert.equal(missing.status, 400);
    assert.equal(missing.body.errors[0]!.path, 'variables.who');
    const unknown = await s.admin.call('POST', `${f.base}/tasks`, { templateId: tid, variables: { who: 'x', whom: 'y' } });
    assert.equal(unknown.status, 400);
    // A misspelt field of the request itself is refused too, not ignored (the task would run with defaults).
    const before = (await s.admin.call<{ items: unknown[] }>('GET', `${f.base}/tasks?templateId=${tid}`)).body.items.length;
    const typo = await s.admin.call<{ detail: string; errors: { path: string }[] }>('POST', `${f.base}/tasks`, { templateId: tid, variabels: { who: 'x' } });
    assert.equal(typo.status, 400);
    assert.deepEqual(typo.body.errors.map((e) => e.path), ['body.variabels']);
    assert.match(typo.body.detail, /unknown field; this request takes templateId, version, name, variables, excludeNodes/);
    assert.equal((await s.admin.call<{ items: unknown[] }>('GET', `${f.base}/tasks?templateId=${tid}`)).body.items.length, before, 'nothing was created');
  });

  test('variables named like Object.prototype members are ordinary variables: defaults apply, undeclared ones are refused', async () => {
    const tid = await f.template(graph('prototype names', [start(), task('a', '@test/echo', { value: '${constructor}/${toString}' }), end()], [['start', 'a'], ['a', 'end']],
      { constructor: { type: 'string' as const, value: 'ctor' }, toString: { type: 'string' as const, value: 'text' } }));
    const id = await f.create(tid);
    assert.equal((await f.taskOp(id, 'start')).status, 200);
    assert.equal((await f.waitState(id, 'finished')).state, 'finished');
    assert.deepEqual((await f.node(id, 'a')).inputs, { value: 'ctor/text' });
    const plain = await f.template(graph('no prototype names', [start(), task('a', '@test/echo', { value: 1 }), end()], [['start', 'a'], ['a', 'end']]));
    for (const key of ['hasOwnProperty', 'valueOf', 'constructor']) {
      const r = await s.admin.call<{ errors: { path: string; message: string }[] }>('POST', `${f.base}/tasks`, { templateId: plain, variables: { [key]: 'x' } });
      assert.equal(r.status, 400, `${key}: ${JSON.stringify(r.body)}`);
      assert.deepEqual(r.body.errors, [{ path: `variables.${key}`, message: `the flow has no variable ${key}` }]);
    }
  });

  test('a task list page cursor that is not a task id is refused, naming the parameter', async () => {
    const tid = await f.template(graph('paged', [start(), task('a', '@test/echo'), end()], [['start', 'a'], ['a', 'end']]));
    const made = await s.admin.call<{ id: string }>('POST', `${f.base}/tasks`, { templateId: tid });
    const garbage = await s.admin.call<{ code: string; detail: string; errors: { path: string }[] }>('GET', `${f.base}/tasks?before=garbage`);
    assert.equal(garbage.status, 400);
    assert.equal(garbage.body.code, 'invalid_request');
    assert.deepEqual(garbage.body.errors.map((e) => e.path), ['query.before']);
    assert.match(garbage.body.detail, /^query\.before: not a task id/);
    const page = await s.admin.call<{ items: { id: string }[] }>('GET', `${f.base}/tasks?templateId=${tid}&before=${made.body.id}`);
    assert.equal(page.status, 200, 'a real id is a cursor');
    assert.deepEqual(page.body.items, []);
  });

  test('start happens exactly once under concurrent calls', async () => {
    const tid = await f.template(graph('once', [start(), task('a', '@test/echo'), end()], [['start', 'a'], ['a', 'end']]));
    const id = await f.create(tid);
    const results = await Promise.all(Array.from({ length: 6 }, () => f.taskOp(id, 'start')));
    assert.equal(results.filter((r) => r.status === 200).length, 1);
    assert.ok(results.filter((r) => r.status === 409).every((r) => r.body.code === 'task_already_started'));
    await f.waitState(id, 'finished');
  });

  test('parallel branches, nested, run concurrently and converge once', async () => {
    const g = graph('parallel', [
      start(), gateway('p1', 'parallel'), gateway('p2', 'parallel'),
      task('slow', '@test/poller', { times: 3, delayMs: 30 }), task('x', '@test/echo'), task('y', '@test/echo'), task('z', '@test/echo'),
      gateway('c2', 'converge'), gateway('c1', 'converge'), task('after', '@test/echo'), end(),
    ], [['start', 'p1'], ['p1', 'slow'], ['p1', 'p2'], ['p2', 'x'], ['p2', 'y'], ['x', 'c2'], ['y', 'c2'], ['c2', 'z'], ['z', 'c1'], ['slow', 'c1'], ['c1', 'after'], ['after', 'end']]);
    const id = await f.run(g);
    const done = await f.waitState(id, 'finished');
    for (const n of ['slow', 'x', 'y', 'z', 'c1', 'c2', 'after']) assert.equal(done.nodes[n]!.state, 'finished', n);
    assert.equal(done.nodes.after!.loop, 0, 'the converge fired once, so after ran once');
    const slow = await f.node(id, 'slow');
    const x = await f.node(id, 'x');
    assert.ok(Date.parse(String(x.finishedAt)) < Date.parse(String(slow.finishedAt)), 'the fast branch did not wait for the slow one');
  });

  test('exclusive gateway takes the one true branch, refuses two, and "first" takes the first', async () => {
    const mk = (strategy?: 'first') => graph(`excl-${strategy ?? 'only'}`, [
      start(), gateway('g', 'exclusive', strategy ? { strategy } : {}), task('small', '@test/echo'), task('big', '@test/echo'), task('other', '@test/echo'), gateway('c', 'converge'), end(),
    ], [['start', 'g'], ['g', 'small', { id: 'to-small', condition: { expression: 'n < 10', name: 'small' } }], ['g', 'big', { id: 'to-big', condition: { expression: '${n} >= 5', name: 'big' } }],
      ['g', 'other', { id: 'to-other', default: true }], ['small', 'c'], ['big', 'c'], ['other', 'c'], ['c', 'end']], { n: { type: 'number', value: 1, show: true } });
    const one = await f.run(mk(), { variables: { n: 2 } });
    let t = await f.waitState(one, 'finished');
    assert.equal(t.nodes.small!.state, 'finished');
    assert.equal(t.nodes.big!.state, 'pending');
    const none = await f.run(mk(), { variables: { n: 50 } });
    t = await f.waitState(none, 'finished');
    assert.equal(t.nodes.big!.state, 'finished');
    const both = await f.run(mk(), { variables: { n: 7 } });
    t = await f.waitState(both, 'failed');
    assert.equal(t.nodes.g!.state, 'failed');
    assert.match(t.nodes.g!.error!, /exactly one true condition.*to-small \(small\).*to-big \(big\)/);
    // An operator continues past the failed gateway on a chosen flow.
    const refused = await f.op(both, 'g', 'skip-gateway', { flowIds: ['to-small', 'to-big'] });
    assert.equal(refused.status, 400);
    assert.equal((await f.op(both, 'g', 'skip-gateway', { flowIds: ['to-big'] })).status, 200);
    t = await f.waitState(both, 'finished');
    assert.deepEqual([t.nodes.g!.state, t.nodes.big!.state, t.nodes.c!.state], ['skipped', 'finished', 'finished']);
    assert.equal(t.nodes.small!.state, 'pending');
    const first = await f.run(mk('first'), { variables: { n: 7 } });
    t = await f.waitState(first, 'finished');
    assert.equal(t.nodes.small!.state, 'finished');
  });

  test('a gateway failing with a message longer than its column holds still fails, with the message cut', async () => {
    // The message names every condition, and a template's conditions may be long: 30 of 3,000 characters.
    const long = (i: number) => `n === ${i} && '${'x'.repeat(3000)}'.length > 0`;
    const branches = Array.from({ length: 30 }, (_, i) => `b${i}`);
    const id = await f.run(graph('wordy', [start(), gateway('g', 'exclusive'), ...branches.map((b) => task(b, '@test/echo')), gateway('c', 'converge'), end()], [
      ['start', 'g'], ...branches.map((b, i) => ['g', b, { id: `to-${b}`, condition: { expression: long(i) } }] as [string, string, object]), ...branches.map((b) => [b, 'c'] as [string, string]), ['c', 'end'],
    ], { n: { type: 'number', value: 99, show: true } }));
    const t = await f.waitState(id, 'failed');
    assert.equal(t.nodes.g!.state, 'failed');
    assert.match(t.nodes.g!.error!, /^no condition of exclusive gateway g is true/);
    assert.ok(t.nodes.g!.error!.length <= 8000 && t.nodes.g!.error!.endsWith('…'), 'cut to what the column holds');
  });

  test('an exclusive gateway with strategy "first" stops at the first true condition: a later one that would fail does not matter', async () => {
    const mk = () => graph('excl-first-error', [
      start(), gateway('g', 'exclusive', { strategy: 'first' }), task('a', '@test/echo'), task('b', '@test/echo'), task('other', '@test/echo'), gateway('c', 'converge'), end(),
    ], [['start', 'g'], ['g', 'a', { id: 'to-a', condition: { expression: 'n > 0' } }], ['g', 'b', { id: 'to-b', condition: { expression: 'hosts[0].ip == "10.0.0.1"' } }],
      ['g', 'other', { id: 'to-other', default: true }], ['a', 'c'], ['b', 'c'], ['other', 'c'], ['c', 'end']],
    { n: { type: 'number', value: 1, show: true }, hosts: { type: 'json', value: [] } });
    const t = await f.waitFor(await f.run(mk()), (v) => v.state === 'finished' || v.state === 'failed', 'an end state');
    assert.equal(t.state, 'finished', JSON.stringify(t.nodes.g));
    assert.deepEqual([t.nodes.a!.state, t.nodes.b!.state], ['finished', 'pending']);
    // Before the first true condition every one counts: a failing one fails the gateway.
    const failed = await f.waitState(await f.run(mk(), { variables: { n: 0 } }), 'failed');
    assert.match(failed.nodes.g!.error!, /condition of flow to-b/);
  });

  test('conditional-parallel runs the true branches only and converges on them', async () => {
    const g = graph('cpg', [
      start(), gateway('g', 'conditional-parallel'), task('a', '@test/echo'), task('b', '@test/echo'), task('c', '@test/echo'), gateway('j', 'converge'), end(),
    ], [['start', 'g'], ['g', 'a', { condition: { expression: 'env == "prod"' } }], ['g', 'b', { condition: { expression: 'true' } }], ['g', 'c', { condition: { expression: 'env == "dev"' } }],
      ['a', 'j'], ['b', 'j'], ['c', 'j'], ['j', 'end']], { env: { type: 'string', value: 'prod' } });
    const t = await f.waitState(await f.run(g), 'finished');
    assert.deepEqual([t.nodes.a!.state, t.nodes.b!.state, t.nodes.c!.state], ['finished', 'finished', 'pending']);
  });

  test("a node's detail shows its newest log lines; earlier and later ones are paged by sequence", async () => {
    // 600 lines from the call and from each of two polls: 1,800 in all, past what a detail carries.
    const id = await f.run(graph('chatty', [start(), task('talk', '@test/chatty', { lines: 600, polls: 2 }), end()], [['start', 'talk'], ['talk', 'end']]));
    await f.waitState(id, 'finished');
    type Line = { seq: number; message: string };
    const node = await f.node(id, 'talk') as unknown as { logs: Line[]; earlierLogs: boolean };
    assert.equal(node.logs.length, 1000);
    assert.equal(node.earlierLogs, true);
    assert.equal(node.logs.at(-1)!.message, 'poll 2 line 599', 'the last line logged is shown: it tells how the node ended');
    assert.equal(node.logs[0]!.message, 'poll 1 line 200');

    const path = `/api/v1/projects/ops/tasks/${id}/nodes/talk/logs`;
    const earlier = await s.admin.call<{ items: Line[]; more: boolean }>('GET', `${path}?before=${node.logs[0]!.seq}&limit=500`);
    assert.equal(earlier.status, 200);
    assert.deepEqual([earlier.body.items.length, earlier.body.items[0]!.message, earlier.body.items.at(-1)!.message, earlier.body.more], [500, 'execute line 300', 'poll 1 line 199', true]);
    const first = await s.admin.call<{ items: Line[]; more: boolean }>('GET', `${path}?before=${earlier.body.items[0]!.seq}`);
    assert.deepEqual([first.body.items.length, first.body.items[0]!.message, first.body.more], [300, 'execute line 0', false]);
    const all = [...first.body.items, ...earlier.body.items, ...node.logs].map((l) => l.seq);
    assert.deepEqual(all, [...all].sort((a, b) => a - b), 'sequence numbers order the lines');
    assert.equal(new Set(all).size, 1800);

    const following = await s.admin.call<{ items: Line[]; more: boolean }>('GET', `${path}?after=${first.body.items.at(-1)!.seq}&limit=2`);
    assert.deepEqual([following.body.items.map((l) => l.message), following.body.more], [['execute line 300', 'execute line 301'], true]);
    const end1 = await s.admin.call<{ items: Line[]; more: boolean }>('GET', `${path}?after=${node.logs.at(-1)!.seq}`);
    assert.deepEqual([end1.body.items.length, end1.body.more], [0, false]);

    assert.equal((await s.admin.call('GET', `${path}?before=5&after=1`)).status, 400);
    assert.equal((await s.admin.call('GET', `${path}?limit=50000`)).status, 400);
    assert.equal((await s.admin.call('GET', `/api/v1/projects/ops/tasks/${id}/nodes/nope/logs`)).status, 404);
  });

  test('a failing expression fails the node and names the input and the expression', async () => {
    const id = await f.run(graph('bad-expr', [start(), task('a', '@test/echo', { target: 'host-${server.ip.port}' }), end()], [['start', 'a'], ['a', 'end']], { server: { type: 'string', value: 'web-1' } }));
    const t = await f.waitState(id, 'failed');
    assert.match(t.nodes.a!.error!, /target/);
    assert.match(t.nodes.a!.error!, /server\.ip\.port/);
  });

  test('a loop re-runs nodes with a loop counter and history, up to its limit', async () => {
    const g = graph('loop', [
      start(), task('inc', '@test/echo', { value: '${count + 1}' }, { outputs: { value: 'count' } }), gateway('again', 'exclusive'), end(),
    ], [['start', 'inc'], ['inc', 'again'], ['again', 'inc', { condition: { expression: 'count < 3' } }], ['again', 'end', { condition: { expression: 'count >= 3' } }]],
    { count: { type: 'number', value: 0 } });
    const id = await f.run(g);
    const t = await f.waitState(id, 'finished');
    assert.equal(t.nodes.inc!.loop, 2);
    const inc = await f.node(id, 'inc');
    assert.equal(inc.history.length, 2);
    assert.equal(inc.inputs.value, 3);

    const capped = graph('loop-cap', [
      start(), task('inc', '@test/echo', { value: '${count + 1}' }, { outputs: { value: 'count' }, loop: { maxLoops: 2 } }), gateway('again', 'exclusive'), end(),
    ], [['start', 'inc'], ['inc', 'again'], ['again', 'inc', { condition: { expression: 'count < 10' } }], ['again', 'end', { condition: { expression: 'count >= 10' } }]],
    { count: { type: 'number', value: 0 } });
    const cid = await f.run(capped);
    const c = await f.waitState(cid, 'failed');
    assert.match(c.nodes.inc!.error!, /re-entered 3 times, more than its loop limit of 2/);
    assert.equal(c.error, `node inc failed: ${c.nodes.inc!.error}`, 'the task says it as for any failed node');
    assert.equal((await f.node(cid, 'inc')).outputs, null, 'the refused run shows no outputs of the last one it allowed');
  });

  test('a node re-entered by a loop starts afresh: a failed run shows its own inputs, no outputs of the earlier loop, and retries from zero', async () => {
    const g = graph('loop-afresh', [
      start(), task('inc', '@test/echo', { value: '${count + 1}' }, { outputs: { value: 'count' } }),
      task('a', '@test/flaky', { fail: '${count == 2 ? "boom" : ""}', n: '${count}' }), gateway('again', 'exclusive'), end(),
    ], [['start', 'inc'], ['inc', 'a'], ['a', 'again'], ['again', 'inc', { condition: { expression: 'count < 3' } }], ['again', 'end', { default: true }]],
    { count: { type: 'number', value: 0 } });
    const id = await f.run(g);
    let t = await f.waitState(id, 'failed');
    assert.equal(t.nodes.a!.loop, 1);
    let a = await f.node(id, 'a');
    assert.deepEqual(a.inputs, { fail: 'boom', n: 2 }, 'the inputs the failed run was called with');
    assert.equal(a.outputs, null, 'no outputs of the finished earlier loop on the failed run');
    assert.deepEqual((a.history as { loop: number; state: string; inputs: unknown }[]).map((h) => [h.loop, h.state, h.inputs]),
      [[0, 'finished', { fail: '', n: 1 }], [1, 'failed', { fail: 'boom', n: 2 }]]);
    assert.equal((await f.op(id, 'a', 'retry', { inputs: { fail: '' } })).status, 200);
    t = await f.waitState(id, 'finished');
    assert.equal(t.nodes.a!.loop, 2);
    assert.equal(t.nodes.a!.retries, 0, 'the retry belonged to the run of loop 1');
    a = await f.node(id, 'a');
    assert.deepEqual((a.history as { loop: number; retries: number }[]).map((h) => [h.loop, h.retries]), [[0, 0], [1, 0], [1, 1]]);
  });

  test('a loop inside the one branch of a parallel gateway: the loop\'s exit is gathered by the converge', async () => {
    const g = graph('single-branch-loop', [
      start(), gateway('p', 'parallel'), task('inc', '@test/echo', { value: '${count + 1}' }, { outputs: { value: 'count' } }), gateway('again', 'exclusive'), gateway('j', 'converge'), end(),
    ], [['start', 'p'], ['p', 'inc'], ['inc', 'again'], ['again', 'inc', { condition: { expression: 'count < 3' } }], ['again', 'j', { default: true }], ['j', 'end']],
    { count: { type: 'number', value: 0 } });
    const t = await f.waitState(await f.run(g), 'finished');
    assert.equal(t.nodes.inc!.loop, 2);
    assert.equal(t.nodes.j!.state, 'finished');
  });

  test('optional nodes can be excluded at creation and the graph is rewired; others cannot', async () => {
    const tid = await f.template(graph('optional', [
      start(), gateway('p', 'parallel'), task('keep', '@test/echo'), task('maybe', '@test/echo', {}, { optional: true }), gateway('c', 'converge'), task('must', '@test/echo'), end(),
    ], [['start', 'p'], ['p', 'keep'], ['p', 'maybe'], ['keep', 'c'], ['maybe', 'c'], ['c', 'must'], ['must', 'end']]));
    const refused = await s.admin.call<{ code: string; detail: string }>('POST', `${f.base}/tasks`, { templateId: tid, excludeNodes: ['must'] });
    assert.equal(refused.status, 422);
    assert.equal(refused.body.code, 'node_not_optional');
    assert.match(refused.body.detail, /must/);
    const id = await f.create(tid, { excludeNodes: ['maybe'] });
    await f.taskOp(id, 'start');
    const t = await f.waitState(id, 'finished');
    assert.equal(t.nodes.maybe, undefined);
    assert.equal(t.nodes.must!.state, 'finished');
  });

  test('subflows get only declared params and return only declared outputs', async () => {
    const child = await f.template(graph('child', [start(), task('work', '@test/echo', { value: '${size * 2}' }, { outputs: { value: 'doubled' } }), end()], [['start', 'work'], ['work', 'end']],
      { size: { type: 'number', show: true, required: true }, doubled: { type: 'number' }, secret: { type: 'string', value: 'internal' } }, ['doubled']));
    const parent = graph('parent', [
      start(), { id: 'sub', type: 'subflow', template: { id: child, version: 1 }, params: { size: '${n}' }, outputs: { doubled: 'result' } }, task('use', '@test/echo', { value: '${result}' }), end(),
    ], [['start', 'sub'], ['sub', 'use'], ['use', 'end']], { n: { type: 'number', value: 21 }, result: { type: 'number' } });
    const id = await f.run(parent);
    const t = await f.waitState(id, 'finished');
    assert.equal(t.nodes.sub!.state, 'finished');
    const use = await f.node(id, 'use');
    assert.equal(use.inputs.value, 42);
    const sub = await f.node(id, 'sub');
    assert.deepEqual(Object.keys(sub.outputs as object).sort(), ['_loop', '_result', 'doubled']);
  });

  test('a subflow whose child task name would be over long runs, its name cut to fit', async () => {
    const child = await f.template(graph('child-named', [start(), task('work', '@test/echo'), end()], [['start', 'work'], ['work', 'end']]));
    const parent = graph('parent-named', [start(), { id: 'sub', name: 'Deploy '.repeat(40), type: 'subflow', template: { id: child, version: 1 }, params: {} }, end()], [['start', 'sub'], ['sub', 'end']]);
    const id = await f.run(parent, { name: 'N'.repeat(128) });
    await f.waitState(id, 'finished');
    const sub = await f.get(id);
    const name = (await f.get(sub.nodes.sub!.childTaskId!)).name;
    assert.ok(name.length <= 200, `${name.length} characters`);
    assert.match(name, /^N+… \/ Deploy Deploy .*…$/);
  });

  test('inside nested subflows, _system describes the root task: the one users look at and are notified about', async () => {
    const leaf = await f.template(graph('system-leaf', [start(), task('work', '@test/echo', { system: '${_system}', given: '${root_id}' }), end()], [['start', 'work'], ['work', 'end']],
      { root_id: { type: 'string', show: true, required: true } }));
    const middle = await f.template(graph('system-middle', [
      start(), { id: 'inner', type: 'subflow', template: { id: leaf, version: 1 }, params: { root_id: '${_system.task_id}' } }, end(),
    ], [['start', 'inner'], ['inner', 'end']]));
    const id = await f.run(graph('system-top', [start(), { id: 'outer', type: 'subflow', template: { id: middle, version: 1 }, params: {} }, end()], [['start', 'outer'], ['outer', 'end']]),
      { name: 'nightly deploy' });
    const top = await f.waitFor(id, (v) => v.state === 'finished' || v.state === 'failed', 'an end state');
    assert.equal(top.state, 'finished', JSON.stringify(top.nodes));
    const middleId = top.nodes.outer!.childTaskId!;
    const leafId = (await f.get(middleId)).nodes.inner!.childTaskId!;
    const work = await f.node(leafId, 'work');
    const system = work.inputs.system as Record<string, unknown>;
    const startedAt = (await f.get(id) as unknown as { startedAt: string }).startedAt;
    assert.deepEqual(
      [system.task_id, system.task_name, system.task_start_time, system.operator, system.executor, system.project_key],
      [id, 'nightly deploy', startedAt, 'admin', 'admin', 'ops'],
    );
    assert.match(String(system.task_url), new RegExp(`/#/projects/ops/tasks/${id}$`));
    assert.equal(work.inputs.given, id, 'a param rendered in the middle subflow reads the root task too');
  });

  test('subflow params arrive as data: a literal param and a rendered value holding ${ are not evaluated again in the child', async () => {
    const child = await f.template(graph('child-literal', [start(), task('work', '@test/echo', { value: '${script}', heard: '${note}' }), end()], [['start', 'work'], ['work', 'end']],
      { script: { type: 'string', show: true, required: true }, note: { type: 'string', show: true } }));
    const parent = graph('parent-literal', [
      start(), { id: 'sub', type: 'subflow', template: { id: child, version: 1 }, params: { script: { value: 'echo ${HOME}', render: false }, note: '${raw}' } }, end(),
    ], [['start', 'sub'], ['sub', 'end']], { raw: { type: 'string', value: 'cost $${price}', render: false } });
    const id = await f.run(parent);
    const t = await f.waitFor(id, (v) => v.state === 'finished' || v.state === 'failed', 'an end state');
    assert.equal(t.state, 'finished', JSON.stringify(t.nodes));
    const work = await f.node(t.nodes.sub!.childTaskId!, 'work');
    assert.deepEqual([work.inputs.value, work.inputs.heard], ['echo ${HOME}', 'cost $${price}']);
  });
});
