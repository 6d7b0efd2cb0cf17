import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { apiClient, backend, dropRedisKeys, startTestServer, testDatabase, TEST_ADMIN_PASSWORD } from '../test-support/test-server.js';
import { installTestPlugins } from '../test-support/test-plugins.js';
import { end, flows, gateway, graph, start, task } from '../test-support/flow-helpers.js';
import type { FlowEngine } from '../flow/engine/engine.js';

const CLI = fileURLToPath(new URL('../cli/main.js', import.meta.url));

/** Starts `opsloom up` as a real process and resolves with its URL. */
function up(env: Record<string, string>): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--no-node-snapshot', CLI, 'up'], { env: { PATH: process.env.PATH!, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /running at (http:\/\/\S+)/.exec(out);
      if (m) resolve({ child, url: m[1]! });
    });
    child.stderr!.on('data', (d) => { out += d; });
    child.on('exit', (code) => reject(new Error(`opsloom exited ${code}: ${out}`)));
  });
}

test('kill -9 in the middle of running tasks: on restart every task finishes and no finished step runs again', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'opsloom-crash-'));
  const db = await testDatabase(dir);
  const env = {
    OPSLOOM_DATA_DIR: dir, OPSLOOM_PORT: '0', OPSLOOM_ADMIN_PASSWORD: TEST_ADMIN_PASSWORD, OPSLOOM_LOG_LEVEL: 'warn', OPSLOOM_REGISTRY: 'off',
    OPSLOOM_LOCAL_AGENT: 'false', OPSLOOM_STEP_LEASE: '2', ...(backend.redis ? { OPSLOOM_REDIS: backend.redis, OPSLOOM_REDIS_PREFIX: `opsloom-test-crash${Date.now()}` } : {}), ...db.env,
  };
  // Prepare plugins, a project and a template with an in-process server on the same data, then stop it.
  const prep = await startTestServer(env);
  await installTestPlugins(prep);
  await prep.admin.call('POST', '/api/v1/projects', { key: 'crash', name: 'Crash' });
  const g = graph('crash', [
    start(), gateway('p', 'parallel'), task('poll', '@test/poller', { times: 8, delayMs: 100 }), task('quick', '@test/echo', { value: 1 }),
    gateway('c', 'converge'), task('after', '@test/echo', { value: 2 }), end(),
  ], [['start', 'p'], ['p', 'poll'], ['p', 'quick'], ['poll', 'c'], ['quick', 'c'], ['c', 'after'], ['after', 'end']]);
  const templateId = await flows(prep.admin, 'crash').template(g);
  await prep.close();

  let server = await up(env);
  try {
    const login = await apiClient(server.url).call<{ token: string }>('POST', '/api/v1/auth/login', { username: 'admin', password: TEST_ADMIN_PASSWORD });
    let f = flows(apiClient(server.url, login.body.token), 'crash');
    const ids: string[] = [];
    for (let i = 0; i < 10; i++) ids.push(await f.create(templateId));
    const started = ids;
    for (const id of started) await f.taskOp(id, 'start');
    await f.waitFor(started[0]!, (t) => t.nodes.quick!.state === 'finished', 'a first finished step');
    server.child.kill('SIGKILL');
    await new Promise((r) => server.child.once('exit', r));

    // What had finished before the crash must not run again.
    const reader = await startTestServer({ ...env, OPSLOOM_ROLES: 'api' });
    const before = new Map<string, { finishedAt: string | null; attempts: number }>();
    const rf = flows(reader.admin, 'crash');
    for (const id of started) {
      const t = await rf.get(id);
      for (const [node, n] of Object.entries(t.nodes)) if (n.state === 'finished') before.set(`${id}/${node}`, { finishedAt: (n as { finishedAt?: string }).finishedAt ?? null, attempts: n.attempts });
    }
    await reader.close();
    assert.ok(before.size > 0, 'some steps had finished before the crash');

    server = await up(env);
    const login2 = await apiClient(server.url).call<{ token: string }>('POST', '/api/v1/auth/login', { username: 'admin', password: TEST_ADMIN_PASSWORD });
    f = flows(apiClient(server.url, login2.body.token), 'crash');
    for (const id of started) {
      const t = await f.waitFor(id, (x) => x.state === 'finished', 'finished after the restart', 60_000);
      assert.equal(t.nodes.after!.loop, 0, 'the converge fired once: no branch forked twice');
      for (const [node, n] of Object.entries(t.nodes)) {
        const was = before.get(`${id}/${node}`);
        if (was) {
          assert.equal(n.attempts, was.attempts, `${id}/${node} ran again after it had finished`);
          assert.equal((n as { finishedAt?: string }).finishedAt ?? null, was.finishedAt);
        }
      }
    }
  } finally {
    server.child.kill('SIGKILL');
    await db.drop();
    if (backend.redis) await dropRedisKeys(backend.redis, env.OPSLOOM_REDIS_PREFIX!);
    rmSync(dir, { recursive: true, force: true });
  }
});

/**
 * Runs `before` on a server, stops it with its step running (the lease lapses as after a crash),
 * then `after` on a second server of the same data, which recovers the step. Each gets a flow
 * client of project `crash`, whose plugins `before`'s server installed.
 */
async function acrossACrash<T>(name: string, before: (f: ReturnType<typeof flows>) => Promise<T>, after: (f: ReturnType<typeof flows>, was: T) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), `opsloom-${name}-`));
  const db = await testDatabase(dir);
  const env = { OPSLOOM_DATA_DIR: dir, OPSLOOM_STEP_LEASE: '2', ...(backend.redis ? { OPSLOOM_REDIS_PREFIX: `opsloom-test-${name}${Date.now()}` } : {}), ...db.env };
  try {
    const first = await startTestServer(env);
    let was: T;
    try {
      await installTestPlugins(first);
      await first.admin.call('POST', '/api/v1/projects', { key: 'crash', name: 'Crash' });
      was = await before(flows(first.admin, 'crash'));
    } finally {
      // Stopping leaves the running step as a crash does: its lease lapses and another process recovers it.
      await first.close();
    }
    const second = await startTestServer(env);
    try {
      await after(flows(second.admin, 'crash'), was);
    } finally {
      await second.close();
    }
  } finally {
    await db.drop();
    if (backend.redis) await dropRedisKeys(backend.redis, env.OPSLOOM_REDIS_PREFIX!);
    rmSync(dir, { recursive: true, force: true });
  }
}

test('a retried node that had failed while waiting runs its attempt again after a crash, not the old wait', { timeout: 120_000 }, async () => {
  await acrossACrash('retry-crash', async (f) => {
    const id = await f.run(graph('retry-crash', [start(), task('a', '@test/poller', { times: 1000, delayMs: 50, busyMs: 0 }), end()], [['start', 'a'], ['a', 'end']]));
    await f.waitNode(id, 'a', 'waiting');
    assert.equal((await f.op(id, 'a', 'force-fail')).status, 200);
    await f.waitState(id, 'failed');
    assert.equal((await f.op(id, 'a', 'retry', { inputs: { times: 2, busyMs: 3000 } })).status, 200);
    return { id, crashed: (await f.waitNode(id, 'a', 'running')).nodes.a! };
  }, async (f, { id, crashed }) => {
    const recovered = await f.waitFor(id, (t) => t.nodes.a!.state !== 'running' || t.nodes.a!.version !== crashed.version, 'the step recovered');
    assert.notEqual(recovered.nodes.a!.version, crashed.version, `the retried attempt was resumed as the failed run's ${recovered.nodes.a!.waiting} wait`);
    await f.waitState(id, 'finished');
    assert.equal(((await f.node(id, 'a')).outputs as { polls: number }).polls, 2, 'the new inputs ran');
  });
});

test('a step re-run after its process died is the same attempt: it does not use up an auto-retry', { timeout: 120_000 }, async () => {
  await acrossACrash('rerun-crash', async (f) => {
    // One retry: a crash that counted as an attempt would leave the failure after it none.
    const a = task('a', '@test/poller', { times: 1, delayMs: 10, busyMs: 3000 }, { onError: { retry: { times: 1, intervalMs: 10 } } });
    const id = await f.run(graph('rerun-crash', [start(), a, end()], [['start', 'a'], ['a', 'end']]));
    assert.equal((await f.waitNode(id, 'a', 'running')).nodes.a!.attempts, 1);
    return id;
  }, async (f, id) => {
    const done = await f.waitState(id, 'finished');
    assert.equal(done.nodes.a!.attempts, 1, 'the re-run after the crash counted as a second attempt');
    const a = await f.node(id, 'a');
    assert.deepEqual(a.history, [], 'the interrupted run is not a failed attempt');
    assert.ok((a.logs as { level: string; message: string }[]).some((l) => l.level === 'warn' && /the attempt runs again/.test(l.message)), 'the node says it ran again');
  });
});

test('an api-only process answers task and node operations; a worker process runs what they set going', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'opsloom-roles-'));
  const db = await testDatabase(dir);
  const env = { OPSLOOM_DATA_DIR: dir, ...(backend.redis ? { OPSLOOM_REDIS_PREFIX: `opsloom-test-roles${Date.now()}` } : {}), ...db.env };
  const worker = await startTestServer(env);
  try {
    await installTestPlugins(worker);
    await worker.admin.call('POST', '/api/v1/projects', { key: 'roles', name: 'Roles' });
    const api = await startTestServer({ ...env, OPSLOOM_ROLES: 'api' });
    try {
      const f = flows(api.admin, 'roles');
      const id = await f.run(graph('roles', [start(), task('a', '@test/waiter', {}), end()], [['start', 'a'], ['a', 'end']]));
      const t = await f.waitNode(id, 'a', 'waiting');
      assert.equal((await f.op(id, 'a', 'callback', { version: t.nodes.a!.version, data: {} })).status, 200);
      await f.waitState(id, 'finished');
    } finally {
      await api.close();
    }
  } finally {
    await worker.close();
    await db.drop();
    if (backend.redis) await dropRedisKeys(backend.redis, env.OPSLOOM_REDIS_PREFIX!);
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a subflow node whose child task ended goes on though the message that told it was lost (crash after the commit)', { timeout: 60_000 }, async () => {
  const s = await startTestServer();
  try {
    await installTestPlugins(s, '1.0.0', ['@test/echo']);
    await s.admin.call('POST', '/api/v1/projects', { key: 'lost', name: 'Lost' });
    const f = flows(s.admin, 'lost');
    const child = await f.template(graph('lost-child', [start(), task('a', '@test/echo'), end()], [['start', 'a'], ['a', 'end']]));
    // The child's end commits, then its process dies (or the queue refuses the add) before the
    // message to the parent's subflow node is sent: drop exactly that message.
    const { engine } = s.ops.services.modules.get('flow') as { engine: FlowEngine };
    const flush = engine.flush.bind(engine);
    let lost = 0;
    engine.flush = (fx) => {
      const messages = fx.messages.filter((m) => m.msg.k !== 'child');
      lost += fx.messages.length - messages.length;
      return flush({ ...fx, messages });
    };
    const id = await f.run(graph('lost-parent', [start(), { id: 'sub', type: 'subflow', template: { id: child, version: 1 }, params: {} }, task('next', '@test/echo'), end()],
      [['start', 'sub'], ['sub', 'next'], ['next', 'end']]));
    const waiting = await f.waitFor(id, (t) => t.nodes.sub!.childTaskId !== null && lost > 0, 'the child\'s end');
    engine.flush = flush;
    assert.equal((await f.get(waiting.nodes.sub!.childTaskId!)).state, 'finished');
    const t = await f.waitState(id, 'finished');
    assert.equal(t.nodes.next!.state, 'finished');
  } finally {
    await s.close();
  }
});

test('subflow tasks left active under a revoked parent (the process stopped midway through the revoke) are revoked by the sweeper', { timeout: 60_000 }, async () => {
  const s = await startTestServer();
  try {
    await installTestPlugins(s, '1.0.0', ['@test/echo', '@test/waiter']);
    await s.admin.call('POST', '/api/v1/projects', { key: 'orphan', name: 'Orphan' });
    const f = flows(s.admin, 'orphan');
    const inner = await f.template(graph('orphan-inner', [start(), task('wait', '@test/waiter'), end()], [['start', 'wait'], ['wait', 'end']]));
    const middle = await f.template(graph('orphan-middle', [start(), { id: 'deeper', type: 'subflow', template: { id: inner, version: 1 }, params: {} }, end()], [['start', 'deeper'], ['deeper', 'end']]));
    const id = await f.run(graph('orphan-root', [start(), { id: 'sub', type: 'subflow', template: { id: middle, version: 1 }, params: {} }, end()], [['start', 'sub'], ['sub', 'end']]));
    const childId = (await f.waitFor(id, (t) => t.nodes.sub!.childTaskId !== null, 'a child task')).nodes.sub!.childTaskId!;
    const grandchildId = (await f.waitFor(childId, (t) => t.nodes.deeper!.childTaskId !== null, 'a grandchild task')).nodes.deeper!.childTaskId!;
    await f.waitNode(grandchildId, 'wait', 'waiting');
    // The revoke commits the root task, then its process stops before reaching the tasks below.
    const { engine, sweeper } = s.ops.services.modules.get('flow') as { engine: FlowEngine; sweeper: { sweep(): Promise<void> } };
    const eachInTree = engine.eachInTree.bind(engine);
    const sweep = sweeper.sweep.bind(sweeper);
    // The sweeper waits until the left-behind child is seen (on a loaded machine it came first).
    sweeper.sweep = async () => undefined;
    engine.eachInTree = (taskId, op) => op(taskId, true);
    assert.equal((await f.taskOp(id, 'revoke')).status, 200);
    engine.eachInTree = eachInTree;
    assert.equal((await f.get(childId)).state, 'running', 'the child was left behind');
    sweeper.sweep = sweep;
    for (const taskId of [childId, grandchildId]) {
      const t = await f.waitState(taskId, 'revoked');
      assert.ok(Object.values(t.nodes).every((n) => !['ready', 'running', 'waiting', 'suspended'].includes(n!.state)), `no node of ${taskId} stays active`);
    }
  } finally {
    await s.close();
  }
});

/**
 * A task whose subflow's child task waits on a poll, on a server of its own, for an operation on the
 * tree that its process does not finish: `stopWhen` picks the task write at which it "stops".
 */
async function subflowTree(key: string, polls: number) {
  const s = await startTestServer();
  await installTestPlugins(s, '1.0.0', ['@test/echo', '@test/poller']);
  await s.admin.call('POST', '/api/v1/projects', { key, name: key });
  const f = flows(s.admin, key);
  const child = await f.template(graph(`${key}-child`, [start(), task('poll', '@test/poller', { times: polls, delayMs: 50 }), task('after', '@test/echo'), end()],
    [['start', 'poll'], ['poll', 'after'], ['after', 'end']]));
  const id = await f.run(graph(`${key}-parent`, [start(), { id: 'sub', type: 'subflow', template: { id: child, version: 1 }, params: {} }, task('next', '@test/echo'), end()],
    [['start', 'sub'], ['sub', 'next'], ['next', 'end']]));
  const childId = (await f.waitFor(id, (t) => t.nodes.sub!.childTaskId !== null, 'a child task')).nodes.sub!.childTaskId!;
  await f.waitNode(childId, 'poll', 'waiting');
  const { store } = (s.ops.services.modules.get('flow') as { engine: FlowEngine }).engine.deps;
  /** Runs `op` while a task write that `stops` picks throws, as a process stopping there would leave it. */
  const stoppedAt = async <T>(stops: (taskId: string, from: readonly string[], patch: { state?: string }) => boolean, op: () => Promise<T>): Promise<T> => {
    const casTask = store.casTask.bind(store);
    store.casTask = async (taskId, from, patch, tx) => {
      if (stops(taskId, from, patch)) throw new Error('the process stopped');
      return casTask(taskId, from, patch, tx);
    };
    try {
      return await op();
    } finally {
      store.casTask = casTask;
    }
  };
  return { s, f, id, childId, stoppedAt };
}

test('a resume whose process stopped midway through the tree can be sent again: no subflow task stays paused under a running parent', { timeout: 60_000 }, async () => {
  const { s, f, id, childId, stoppedAt } = await subflowTree('halfway', 5);
  try {
    assert.equal((await f.taskOp(id, 'pause')).status, 200);
    assert.equal((await f.get(childId)).state, 'paused');
    // The resume commits one task of the tree, then its process stops before the next.
    let resumed = 0;
    const cut = await stoppedAt((taskId, from) => from.length === 1 && from[0] === 'paused' && [id, childId].includes(taskId) && ++resumed > 1, () => f.taskOp(id, 'resume'));
    assert.equal(cut.status, 500);
    // Sent again, it resumes what is left.
    assert.equal((await f.taskOp(id, 'resume')).status, 200);
    assert.equal((await f.waitState(id, 'finished')).nodes.next!.state, 'finished');
    assert.equal((await f.get(childId)).state, 'finished');
  } finally {
    await s.close();
  }
});

test('a pause whose process stopped midway through the tree can be sent again: it pauses the subflow tasks left running', { timeout: 60_000 }, async () => {
  const { s, f, id, childId, stoppedAt } = await subflowTree('halfpause', 20);
  try {
    // The pause commits the parent, then its process stops before the child.
    const cut = await stoppedAt((taskId, _from, patch) => taskId === childId && patch.state === 'paused', () => f.taskOp(id, 'pause'));
    assert.equal(cut.status, 500);
    assert.deepEqual([(await f.get(id)).state, (await f.get(childId)).state], ['paused', 'running']);
    // Sent again, it pauses what is left; once all is paused, a further pause is refused as before.
    assert.equal((await f.taskOp(id, 'pause')).status, 200);
    assert.equal((await f.get(childId)).state, 'paused');
    const again = await f.taskOp(id, 'pause');
    assert.deepEqual([again.status, again.body.detail], [409, 'cannot pause the task: it is paused']);
    assert.equal((await f.taskOp(id, 'resume')).status, 200);
    assert.equal((await f.waitState(id, 'finished')).nodes.next!.state, 'finished');
  } finally {
    await s.close();
  }
});

// Two core processes on one MySQL and Redis share the work; either can die.
if (backend.redis && backend.mysql) {
  test('two core processes share the work and the survivor finishes what the killed one held', { timeout: 120_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'opsloom-cluster-'));
    const db = await testDatabase(dir);
    const env = {
      OPSLOOM_DATA_DIR: dir, OPSLOOM_PORT: '0', OPSLOOM_ADMIN_PASSWORD: TEST_ADMIN_PASSWORD, OPSLOOM_LOG_LEVEL: 'warn', OPSLOOM_REGISTRY: 'off',
      OPSLOOM_LOCAL_AGENT: 'false', OPSLOOM_STEP_LEASE: '2', OPSLOOM_REDIS: backend.redis!, OPSLOOM_REDIS_PREFIX: `opsloom-test-cluster${Date.now()}`, ...db.env,
    };
    const prep = await startTestServer(env);
    await installTestPlugins(prep);
    await prep.admin.call('POST', '/api/v1/projects', { key: 'cluster', name: 'Cluster' });
    // Two seconds of polling per task: the kill lands while both processes hold polls, however loaded the machine.
    const g = graph('cluster', [start(), task('poll', '@test/poller', { times: 20, delayMs: 100 }), task('after', '@test/echo'), end()],
      [['start', 'poll'], ['poll', 'after'], ['after', 'end']]);
    const templateId = await flows(prep.admin, 'cluster').template(g);
    await prep.close();
    const a = await up(env);
    const b = await up(env);
    try {
      const login = await apiClient(a.url).call<{ token: string }>('POST', '/api/v1/auth/login', { username: 'admin', password: TEST_ADMIN_PASSWORD });
      const fa = flows(apiClient(a.url, login.body.token), 'cluster');
      const fb = flows(apiClient(b.url, login.body.token), 'cluster');
      const ids: string[] = [];
      for (let i = 0; i < 12; i++) ids.push(await fa.create(templateId));
      for (const id of ids) await fa.taskOp(id, 'start');
      // Polling began (a poll in progress shows as running, between polls as waiting).
      await fa.waitFor(ids[0]!, (t) => t.nodes.poll!.state !== 'pending' && t.nodes.poll!.state !== 'ready', 'a polling node');
      a.child.kill('SIGKILL');
      for (const id of ids) {
        const t = await fb.waitFor(id, (x) => x.state === 'finished', 'finished by the surviving process', 60_000);
        assert.equal(t.nodes.after!.state, 'finished');
      }
    } finally {
      a.child.kill('SIGKILL');
      b.child.kill('SIGKILL');
      await db.drop();
      await dropRedisKeys(backend.redis!, env.OPSLOOM_REDIS_PREFIX);
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
