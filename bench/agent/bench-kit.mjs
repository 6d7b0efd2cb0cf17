// Shared helpers of the agent benchmarks: a core in a child process, a signed-in API client, timing.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

const here = new URL('.', import.meta.url).pathname;

/** Starts core-server.mjs; resolves with {url, pid, child, stop()}. */
export async function startCore(dataDir, port = 0) {
  const child = spawn(process.execPath, ['--no-node-snapshot', `${here}core-server.mjs`, dataDir, String(port)], { stdio: ['ignore', 'pipe', 'inherit'], env: process.env });
  const rl = createInterface({ input: child.stdout });
  const line = await new Promise((resolve, reject) => {
    rl.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`core exited with ${code}`)));
  });
  // Keep draining core's log so it never blocks on a full pipe; show what it reports.
  rl.on('line', (l) => process.stderr.write(`[core] ${l}\n`));
  const info = JSON.parse(line);
  return {
    ...info, child,
    rssBytes: () => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${info.pid}/status`, 'utf8'))[1]) * 1024,
    stop: () => new Promise((resolve) => { child.once('exit', resolve); child.kill('SIGTERM'); }),
    kill: () => new Promise((resolve) => { child.once('exit', resolve); child.kill('SIGKILL'); }),
  };
}

/** A JSON client signed in as the benchmark admin. */
export async function signIn(url) {
  const login = await fetch(`${url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: 'bench-password-1' }) });
  const { token } = await login.json();
  return async (method, path, body) => {
    const res = await fetch(url + path, { method, headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}) });
    const text = await res.text();
    if (res.status >= 400) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  };
}

/** Creates a project with an enrolment token. */
export async function benchProject(api, key) {
  const p = await api('POST', '/api/v1/projects', { key, name: key });
  const t = await api('POST', `/api/v1/projects/${p.id}/agent-tokens`, { name: 'bench' });
  return { projectId: p.id, token: t.token };
}

export async function until(check, what, timeoutMs, everyMs = 50) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
export const wsUrl = (url) => `${url.replace(/^http/, 'ws')}/agent/v1`;

/** Emulated agents spread over `processes` swarm-worker processes; `online()` is their total online count. */
export function startSwarms({ server, stateDir, token, count, processes, spreadMs = 2000, launcher = 'auto' }) {
  const per = Math.ceil(count / processes);
  const workers = [];
  for (let p = 0, first = 0; first < count; p++, first += per) {
    const n = Math.min(per, count - first);
    const child = spawn(process.execPath, [`${here}swarm-worker.mjs`, server, `${stateDir}/w${p}`, token, String(n), String(first), String(spreadMs), launcher], { stdio: ['ignore', 'pipe', 'inherit'] });
    const w = { child, online: 0 };
    createInterface({ input: child.stdout }).on('line', (l) => { const m = /^online (\d+)/.exec(l); if (m) w.online = Number(m[1]); });
    workers.push(w);
  }
  return {
    online: () => workers.reduce((s, w) => s + w.online, 0),
    stop: () => Promise.all(workers.map((w) => new Promise((resolve) => {
      if (w.child.exitCode !== null) return resolve();
      w.child.once('exit', resolve);
      w.child.kill('SIGTERM');
    }))),
  };
}
