// Flow engine benchmarks: Windmill's 40-step method and bk-sops' published shapes, embedded
// (SQLite, in-process queue) and, with OPSLOOM_BENCH_MYSQL / OPSLOOM_BENCH_REDIS, on MariaDB + Redis.
// Usage: node --no-node-snapshot bench/engine/engine-bench.mjs [--quick]
import { performance } from 'node:perf_hooks';
import { readdirSync, readFileSync } from 'node:fs';
import { startTestServer } from '../../core/dist/test-support/test-server.js';
import { installTestPlugins } from '../../core/dist/test-support/test-plugins.js';
import { floorRows } from './floors.mjs';

const quick = process.argv.includes('--quick');
const runs = quick ? 3 : 10;

function chain(name, n) {
  const nodes = [{ id: 'start', type: 'start' }];
  const flows = [];
  let prev = 'start';
  for (let i = 0; i < n; i++) {
    const id = `t${i}`;
    nodes.push({ id, type: 'task', plugin: { name: '@test/echo', version: '^1.0.0' }, inputs: { value: i } });
    flows.push({ id: `f${i}`, source: prev, target: id });
    prev = id;
  }
  nodes.push({ id: 'end', type: 'end' });
  flows.push({ id: 'fend', source: prev, target: 'end' });
  return { name, nodes, flows, variables: {}, outputs: [] };
}

/** bk-sops' 17-node shape: a parallel block of three 4-step branches between 2 steps on each side. */
function seventeen() {
  const nodes = [{ id: 'start', type: 'start' }, { id: 'a', type: 'task', plugin: { name: '@test/echo', version: '^1.0.0' }, inputs: {} }, { id: 'p', type: 'parallel' }];
  const flows = [{ id: 'f0', source: 'start', target: 'a' }, { id: 'f1', source: 'a', target: 'p' }];
  for (let b = 0; b < 3; b++) {
    let prev = 'p';
    for (let i = 0; i < 4; i++) {
      const id = `b${b}_${i}`;
      nodes.push({ id, type: 'task', plugin: { name: '@test/echo', version: '^1.0.0' }, inputs: { b, i } });
      flows.push({ id: `fb${b}_${i}`, source: prev, target: id });
      prev = id;
    }
    flows.push({ id: `fc${b}`, source: prev, target: 'c' });
  }
  nodes.push({ id: 'c', type: 'converge' }, { id: 'z', type: 'task', plugin: { name: '@test/echo', version: '^1.0.0' }, inputs: {} }, { id: 'end', type: 'end' });
  flows.push({ id: 'f8', source: 'c', target: 'z' }, { id: 'f9', source: 'z', target: 'end' });
  return { name: 'seventeen', nodes, flows, variables: {}, outputs: [] };
}

/**
 * CPU time (ms) spent so far by this process's children: the sandbox processes that run plugin
 * code. Read from /proc, so the figure holds on a machine that is busy with other work too.
 */
function sandboxCpuMs() {
  let ticks = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    let stat;
    try { stat = readFileSync(`/proc/${pid}/stat`, 'utf8'); } catch { continue; }
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(f[1]) === process.pid) ticks += Number(f[11]) + Number(f[12]);
  }
  return ticks * 10;
}

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };

async function setup(env) {
  const s = await startTestServer(env);
  await installTestPlugins(s, '1.0.0', ['@test/echo']);
  await s.admin.call('POST', '/api/v1/projects', { key: 'bench', name: 'Bench' });
  const flow = s.ops.services.modules.get('flow');
  const project = await s.ops.services.projects.get('bench');
  return { s, flow, project };
}

/** The task status tree (every node's state, version, loop, retries, times, error) over the real API: median of 20 requests. */
async function statusQuery(ctx, taskId) {
  const times = [];
  let nodes = 0;
  for (let i = 0; i < 21; i++) {
    const t0 = performance.now();
    const r = await ctx.s.admin.call('GET', `/api/v1/projects/bench/tasks/${taskId}?graph=false`);
    if (r.status !== 200) throw new Error(`status query answered ${r.status}`);
    if (i > 0) times.push(performance.now() - t0);
    nodes = Object.keys(r.body.nodes).length;
  }
  return { ms: median(times), nodes };
}

/** Creates and starts tasks of one template; resolves when all finished, with the wall time. */
async function runTasks(ctx, graph, count) {
  const { flow, project, s } = ctx;
  const t = await flow.templates.create(project.id, 'admin', { name: graph.name, graph });
  const ids = [];
  for (let i = 0; i < count; i++) ids.push((await flow.tasks.create(project.id, 'admin', { templateId: t.id })).id);
  const pending = new Set(ids);
  let done;
  const finished = new Promise((r) => { done = r; });
  const unsubs = await Promise.all(ids.map((id) => s.ops.coordination.events.subscribe(`task:${id}`, (e) => {
    if (e.type === 'task' && (e.state === 'finished' || e.state === 'failed')) {
      if (e.state === 'failed') console.error('task failed', id, e.error);
      pending.delete(id);
      if (pending.size === 0) done();
    }
  })));
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 50);
  const cpu0 = process.cpuUsage();
  const sandbox0 = sandboxCpuMs();
  const t0 = performance.now();
  await Promise.all(ids.map((id) => flow.tasks.start(project.id, id)));
  await finished;
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const steps = count * graph.nodes.length;
  const calls = count * graph.nodes.filter((n) => n.type === 'task').length;
  const perStep = `core CPU ${((cpu.user + cpu.system) / 1000 / steps).toFixed(2)} ms/step, sandbox CPU ${((sandboxCpuMs() - sandbox0) / calls).toFixed(2)} ms/call`;
  clearInterval(sampler);
  await Promise.all(unsubs.map((u) => u()));
  return { ms, peakMb: Math.round(peak / 1048576), ids, perStep };
}

async function suite(label, env, mysqlUrl) {
  const ctx = await setup(env);
  const rows = [];
  try {
    await runTasks(ctx, chain('warm', 40), 1);
    const steps = [];
    for (let i = 0; i < runs; i++) steps.push((await runTasks(ctx, chain('windmill-40', 40), 1)).ms / 42);
    rows.push({ backend: label, benchmark: '40 sequential task nodes (Windmill method)', result: `${median(steps).toFixed(2)} ms/step (median of ${runs})`, peer: 'Windmill 52 ms/step, Temporal 74 ms/step', goal: label === 'SQLite' ? '≤ 5 ms/step' : '≤ 10 ms/step' });
    const c = await runTasks(ctx, seventeen(), 100);
    rows.push({ backend: label, benchmark: '100 concurrent flows × 17 nodes', result: `${(c.ms / 1000).toFixed(2)} s, peak RSS ${c.peakMb} MB; ${c.perStep}`, peer: 'bk-sops 6.78 s', goal: '≤ 0.68 s' });
    const k = await runTasks(ctx, chain('thousand', 1000), 1);
    rows.push({ backend: label, benchmark: 'one 1,000-node flow', result: `${(k.ms / 1000).toFixed(2)} s, peak RSS ${k.peakMb} MB; ${k.perStep}`, peer: 'bk-sops 7.5 s', goal: '≤ 0.75 s' });
    if (!quick) {
      const tk = await runTasks(ctx, chain('ten-thousand', 10_000), 1);
      rows.push({ backend: label, benchmark: 'one 10,000-node flow', result: `${(tk.ms / 1000).toFixed(1)} s, peak RSS ${tk.peakMb} MB; ${tk.perStep}`, peer: 'bk-sops 347.5 s', goal: '≤ 34.75 s' });
      const q = await statusQuery(ctx, tk.ids[0]);
      rows.push({ backend: label, benchmark: `status tree of that task (${q.nodes} nodes), GET over HTTP`, result: `${q.ms.toFixed(1)} ms (median of 20)`, peer: '—', goal: 'one request, fast' });
    }
  } finally {
    await ctx.s.close();
  }
  const shape = (name, graph, count, goal) => ({ name, goal, chain: count === 1, steps: count * graph.nodes.length, calls: count * graph.nodes.filter((n) => n.type === 'task').length });
  const shapes = [shape('100 × 17', seventeen(), 100, '≤ 0.68 s'), shape('one 1,000-node flow', chain('thousand', 1000), 1, '≤ 0.75 s')];
  if (!quick) shapes.push(shape('one 10,000-node flow', chain('ten-thousand', 10_000), 1, '≤ 34.75 s'));
  rows.push(...await floorRows(label, mysqlUrl, shapes));
  return rows;
}

const rows = await suite('SQLite', {});
if (process.env.OPSLOOM_BENCH_MYSQL) {
  process.env.OPSLOOM_TEST_DB = process.env.OPSLOOM_BENCH_MYSQL;
  process.env.OPSLOOM_TEST_REDIS = process.env.OPSLOOM_BENCH_REDIS ?? 'redis://127.0.0.1:6379';
  const { backend } = await import('../../core/dist/test-support/test-server.js');
  backend.mysql = process.env.OPSLOOM_TEST_DB;
  backend.redis = process.env.OPSLOOM_TEST_REDIS;
  rows.push(...await suite('MariaDB + Redis', {}, process.env.OPSLOOM_BENCH_MYSQL));
}
console.table(rows);
process.exit(0);
