// 10,000 idle connected agents: core's resident memory per agent connection, and the reconnect storm
// after a core restart (goal: all back within 30 s, with the agents' default jittered backoff).
// Usage: node --no-node-snapshot bench/agent/idle.mjs [agents=10000] [swarmProcesses=4]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchProject, signIn, startCore, startSwarms, until, wsUrl } from './bench-kit.mjs';

const AGENTS = Number(process.argv[2] ?? 10_000);
const PROCESSES = Number(process.argv[3] ?? 4);
const dir = mkdtempSync(join(tmpdir(), 'opsloom-bench-idle-'));
let core = await startCore(join(dir, 'core'));
const port = new URL(core.url).port;
let swarms;
const settle = () => new Promise((r) => setTimeout(r, 5000));
try {
  const api = await signIn(core.url);
  const { projectId, token } = await benchProject(api, 'idle');
  await settle();
  const before = core.rssBytes();
  const t0 = Date.now();
  swarms = startSwarms({ server: wsUrl(core.url), stateDir: join(dir, 'swarm'), token, count: AGENTS, processes: PROCESSES, spreadMs: 10_000 });
  await until(async () => (await api('GET', `/api/v1/projects/${projectId}/hosts?online=true&limit=1`)).total >= AGENTS, `${AGENTS} online`, 300_000, 500);
  const enrolMs = Date.now() - t0;
  await settle();
  global.gc?.();
  const after = core.rssBytes();
  const perAgent = (after - before) / AGENTS;

  // Restart core on the same port and data; the agents come back on their own.
  await core.stop();
  const down = Date.now();
  core = await startCore(join(dir, 'core'), port);
  const api2 = await signIn(core.url);
  const back = await until(async () => {
    const n = swarms.online();
    return n >= AGENTS ? Date.now() : undefined;
  }, `${AGENTS} back online`, 120_000, 100);
  await until(async () => (await api2('GET', `/api/v1/projects/${projectId}/hosts?online=true&limit=1`)).total >= AGENTS, 'core sees all online', 60_000, 200);
  const recorded = Date.now();

  console.log(`| ${AGENTS} idle agents | figure | goal |`);
  console.log('|---|---|---|');
  console.log(`| first enrolment + connection of all agents | ${(enrolMs / 1000).toFixed(1)} s | |`);
  console.log(`| core RSS before → after | ${(before / 2 ** 20).toFixed(0)} MiB → ${(after / 2 ** 20).toFixed(0)} MiB | |`);
  console.log(`| core RSS per agent connection | ${(perAgent / 1024).toFixed(1)} KiB | ≤ 64 KB: ${perAgent <= 64_000 ? 'met' : 'missed'} |`);
  console.log(`| reconnect storm: core restart → all agents online | ${((back - down) / 1000).toFixed(1)} s | ≤ 30 s: ${back - down <= 30_000 ? 'met' : 'missed'} |`);
  console.log(`| … → all recorded online in the database | ${((recorded - down) / 1000).toFixed(1)} s | |`);
} finally {
  await swarms?.stop();
  await core.stop();
  rmSync(dir, { recursive: true, force: true });
}
