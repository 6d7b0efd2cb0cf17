// Crash test: 100 running tasks, kill -9 the core process, restart it, and count what happened:
// tasks completed, steps that had finished before the crash and ran again (must be 0), and the
// time from restart until every task finished. Embedded (SQLite) by default; MariaDB + Redis with
// OPSLOOM_BENCH_MYSQL / OPSLOOM_BENCH_REDIS.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { apiClient, backend, dropRedisKeys, startTestServer, testDatabase, TEST_ADMIN_PASSWORD } from '../../core/dist/test-support/test-server.js';
import { installTestPlugins } from '../../core/dist/test-support/test-plugins.js';

const CLI = new URL('../../core/dist/cli/main.js', import.meta.url).pathname;
const TASKS = 100;
if (process.env.OPSLOOM_BENCH_MYSQL) { backend.mysql = process.env.OPSLOOM_BENCH_MYSQL; backend.redis = process.env.OPSLOOM_BENCH_REDIS ?? 'redis://127.0.0.1:6379'; }

function up(env) {
  const child = spawn(process.execPath, ['--no-node-snapshot', CLI, 'up'], { env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => { out += d; const m = /running at (http:\/\/\S+)/.exec(out); if (m) resolve({ child, url: m[1] }); });
    child.on('exit', (code) => reject(new Error(`exited ${code}`)));
  });
}

const dir = mkdtempSync(join(tmpdir(), 'opsloom-crash-bench-'));
const db = await testDatabase(dir);
const env = {
  OPSLOOM_DATA_DIR: dir, OPSLOOM_PORT: '0', OPSLOOM_ADMIN_PASSWORD: TEST_ADMIN_PASSWORD, OPSLOOM_LOG_LEVEL: 'error', OPSLOOM_REGISTRY: 'off',
  OPSLOOM_LOCAL_AGENT: 'false', OPSLOOM_STEP_LEASE: '5', ...(backend.redis ? { OPSLOOM_REDIS: backend.redis, OPSLOOM_REDIS_PREFIX: `opsloom-crash-bench-${Date.now()}` } : {}), ...db.env,
};
const prep = await startTestServer({ ...env, OPSLOOM_ROLES: 'api' });
await installTestPlugins(prep);
await prep.admin.call('POST', '/api/v1/projects', { key: 'crash', name: 'Crash' });
const t = (id, plugin, inputs) => ({ id, type: 'task', plugin: { name: plugin, version: '^1.0.0' }, inputs });
const graph = {
  name: 'crash', variables: {}, outputs: [],
  nodes: [{ id: 'start', type: 'start' }, { id: 'p', type: 'parallel' }, t('poll', '@test/poller', { times: 10, delayMs: 200 }), t('a', '@test/echo', { value: 1 }),
    t('b', '@test/echo', { value: 2 }), { id: 'c', type: 'converge' }, t('after', '@test/echo', { value: 3 }), { id: 'end', type: 'end' }],
  flows: [['start', 'p'], ['p', 'poll'], ['p', 'a'], ['a', 'b'], ['poll', 'c'], ['b', 'c'], ['c', 'after'], ['after', 'end']].map(([s, x], i) => ({ id: `f${i}`, source: s, target: x })),
};
const templateId = (await prep.admin.call('POST', '/api/v1/projects/crash/templates', { name: 'crash', graph })).body.id;
await prep.close();

let server = await up(env);
const login = async (url) => apiClient(url, (await apiClient(url).call('POST', '/api/v1/auth/login', { username: 'admin', password: TEST_ADMIN_PASSWORD })).body.token);
let api = await login(server.url);
const ids = [];
for (let i = 0; i < TASKS; i++) ids.push((await api.call('POST', '/api/v1/projects/crash/tasks', { templateId })).body.id);
await Promise.all(ids.map((id) => api.call('POST', `/api/v1/projects/crash/tasks/${id}/start`)));
await new Promise((r) => setTimeout(r, 700));
server.child.kill('SIGKILL');
await new Promise((r) => server.child.once('exit', r));

const reader = await startTestServer({ ...env, OPSLOOM_ROLES: 'api' });
const before = new Map();
let finishedBefore = 0;
for (const id of ids) {
  const task = (await reader.admin.call('GET', `/api/v1/projects/crash/tasks/${id}?graph=false`)).body;
  if (task.state === 'finished') finishedBefore++;
  for (const [node, n] of Object.entries(task.nodes)) if (n.state === 'finished' && n.attempts > 0) before.set(`${id}/${node}`, n.attempts);
}
await reader.close();

const t0 = performance.now();
server = await up(env);
api = await login(server.url);
const deadline = Date.now() + 300_000;
let done = 0;
let again = 0;
for (const id of ids) {
  for (;;) {
    const task = (await api.call('GET', `/api/v1/projects/crash/tasks/${id}?graph=false`)).body;
    if (task.state === 'finished' || Date.now() > deadline) {
      if (task.state === 'finished') done++;
      for (const [node, n] of Object.entries(task.nodes)) if (before.has(`${id}/${node}`) && before.get(`${id}/${node}`) !== n.attempts) again++;
      break;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
const recoverMs = performance.now() - t0;
server.child.kill('SIGKILL');
await db.drop();
if (backend.redis) await dropRedisKeys(backend.redis, env.OPSLOOM_REDIS_PREFIX);
rmSync(dir, { recursive: true, force: true });
console.table([{
  backend: backend.mysql ? 'MariaDB + Redis' : 'SQLite', tasks: TASKS, 'finished before the kill': finishedBefore, 'steps finished before the kill': before.size,
  'tasks completed after restart': done, 'finished steps run again': again, 'restart → all finished': `${(recoverMs / 1000).toFixed(1)} s`,
}]);
process.exit(done === TASKS && again === 0 ? 0 : 1);
