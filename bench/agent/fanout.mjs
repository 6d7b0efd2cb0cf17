// Fan-out: `echo hello` on 1,000 emulated agents (the agent's swarm mode, each its own WebSocket and
// identity, each really running the command), timed from the API call until every host's result is
// stored; side by side with Ansible (Debian's package) running the same command over 1,000
// `ansible_connection=local` hosts with forks 50.
// Usage: node --no-node-snapshot bench/agent/fanout.mjs [agents=1000] [runs=5] [ansibleHosts=1000] [swarmProcesses=4] [launcher=auto]
// (launcher: how the agents start scripts, auto | zygote | spawn)
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchProject, median, signIn, startCore, startSwarms, until, wsUrl } from './bench-kit.mjs';

const AGENTS = Number(process.argv[2] ?? 1000);
const RUNS = Number(process.argv[3] ?? 5);
const ANSIBLE_HOSTS = Number(process.argv[4] ?? 1000);
const PROCESSES = Number(process.argv[5] ?? 4);
const LAUNCHER = process.argv[6] ?? 'auto';
const GOAL_MS = 2000;

const dir = mkdtempSync(join(tmpdir(), 'opsloom-bench-fanout-'));
const core = await startCore(join(dir, 'core'));
let swarm;
try {
  const api = await signIn(core.url);
  const { projectId, token } = await benchProject(api, 'fanout');
  const t0 = Date.now();
  swarm = startSwarms({ server: wsUrl(core.url), stateDir: join(dir, 'swarm'), token, count: AGENTS, processes: PROCESSES, launcher: LAUNCHER });
  await until(async () => (await api('GET', `/api/v1/projects/${projectId}/hosts?online=true&limit=1`)).total >= AGENTS, `${AGENTS} agents online`, 120_000, 200);
  console.log(`${AGENTS} agents (${PROCESSES} swarm processes, launcher ${LAUNCHER}) enrolled and online in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  const hosts = await api('GET', `/api/v1/projects/${projectId}/hosts?limit=5000`);
  const hostIds = hosts.items.map((h) => h.id);

  const opsloom = [];
  const lags = [];
  for (let i = 0; i < RUNS + 1; i++) {
    const start = performance.now();
    const job = await api('POST', `/api/v1/projects/${projectId}/jobs/script`, { hostIds, content: 'echo hello', language: 'bash' });
    const dispatched = performance.now() - start;
    const done = await until(async () => {
      const j = await api('GET', `/api/v1/projects/${projectId}/jobs/${job.id}`);
      return j.finished ? j : undefined;
    }, 'job finished', 60_000, 10);
    const ms = performance.now() - start;
    if ((done.counts.success ?? 0) !== AGENTS) throw new Error(`expected ${AGENTS} successes, got ${JSON.stringify(done.counts)}`);
    // Core's share: from the last script end the agents reported to the job's recorded end.
    const results = await api('GET', `/api/v1/projects/${projectId}/jobs/${job.id}/hosts?limit=50000`);
    const lastScriptEnd = Math.max(...results.items.map((h) => Date.parse(h.endedAt)));
    const lag = Date.parse(done.endedAt) - lastScriptEnd;
    if (i > 0) {
      opsloom.push(ms); // the first run warms up caches and JIT
      lags.push(lag);
    }
    console.log(`  opsloom run ${i}${i === 0 ? ' (warm-up)' : ''}: ${ms.toFixed(0)} ms (API answered, all dispatched, after ${dispatched.toFixed(0)} ms), ${JSON.stringify(done.counts)}`);
  }

  // The floor on this machine: the same 1,000 processes spawned directly from one Node process.
  const floor = await new Promise((resolve) => {
    const start = performance.now();
    let left = AGENTS;
    for (let i = 0; i < AGENTS; i++) {
      spawn('bash', ['-c', 'echo hello'], { stdio: ['ignore', 'pipe', 'pipe'] }).on('close', () => { if (--left === 0) resolve(performance.now() - start); });
    }
  });

  // Ansible over local connections, forks 50.
  const inv = join(dir, 'inventory.ini');
  const runAnsible = (n) => {
    writeFileSync(inv, `[all]\n${Array.from({ length: n }, (_, i) => `h${i} ansible_connection=local ansible_python_interpreter=/usr/bin/python3`).join('\n')}\n`);
    const start = performance.now();
    const r = spawnSync('ansible', ['all', '-i', inv, '-f', '50', '-m', 'command', '-a', 'echo hello', '-o'], { encoding: 'utf8', env: { ...process.env, ANSIBLE_HOST_KEY_CHECKING: 'False', ANSIBLE_LOCALHOST_WARNING: 'False' }, maxBuffer: 64 * 1024 * 1024 });
    const ms = performance.now() - start;
    const ok = (r.stdout.match(/CHANGED|SUCCESS/g) ?? []).length;
    if (ok !== n) throw new Error(`ansible: ${ok}/${n} hosts ok\n${r.stderr.slice(0, 2000)}`);
    return ms;
  };
  let ansibleMs;
  let ansibleNote = '';
  const version = execFileSync('ansible', ['--version'], { encoding: 'utf8' }).split('\n')[0];
  const probe = runAnsible(Math.min(200, ANSIBLE_HOSTS));
  if (ANSIBLE_HOSTS > 200 && probe * (ANSIBLE_HOSTS / 200) > 600_000) {
    ansibleMs = probe * (ANSIBLE_HOSTS / 200);
    ansibleNote = ` (extrapolated from 200 hosts: ${(probe / 1000).toFixed(1)} s)`;
  } else {
    ansibleMs = ANSIBLE_HOSTS > 200 ? runAnsible(ANSIBLE_HOSTS) : probe;
  }

  const m = median(opsloom);
  console.log('\n| fan-out of `echo hello` | hosts | median of ' + RUNS + ' | goal |');
  console.log('|---|---|---|---|');
  console.log(`| Opsloom (swarm agents, API call → all results stored) | ${AGENTS} | ${(m / 1000).toFixed(2)} s | ≤ ${GOAL_MS / 1000} s: ${m <= GOAL_MS ? 'met' : 'missed'} |`);
  console.log(`| ${version}, forks 50, local connection | ${ANSIBLE_HOSTS} | ${(ansibleMs / 1000).toFixed(1)} s${ansibleNote} (1 run) | |`);
  console.log(`| ratio | | ${(ansibleMs / m).toFixed(1)}× faster | ≥ 20×: ${ansibleMs / m >= 20 ? 'met' : 'missed'} |`);
  console.log(`| core's share: last script end → job recorded as ended | ${AGENTS} | ${median(lags)} ms | |`);
  console.log(`| floor: ${AGENTS} × \`bash -c 'echo hello'\` spawned directly by one Node process | ${AGENTS} | ${(floor / 1000).toFixed(2)} s | |`);
  console.log(`\nmachine: ${cpus().length} × ${cpus()[0].model}, load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
} finally {
  await swarm?.stop();
  await core.stop();
  rmSync(dir, { recursive: true, force: true });
}
