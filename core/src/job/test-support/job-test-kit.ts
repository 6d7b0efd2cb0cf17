import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, type AgentOptions } from '@opsloom/agent';
import { AGENT_GATEWAY_PATH } from '@opsloom/agent/protocol';
import { apiClient, startTestServer, type ApiClient, type TestServer } from '../../test-support/test-server.js';
import type { JobView } from '../api-types.js';

/** Starts a real core for job tests, with job settings short enough for tests. */
export async function startJobServer(settings: { graceSeconds?: number; sweepMs?: number; heartbeatSeconds?: number; maxTimeoutSeconds?: number } = {}): Promise<TestServer> {
  return startTestServer({
    OPSLOOM_JOB_GRACE: String(settings.graceSeconds ?? 10),
    OPSLOOM_JOB_SWEEP_MS: String(settings.sweepMs ?? 300),
    OPSLOOM_AGENT_HEARTBEAT: String(settings.heartbeatSeconds ?? 5),
    ...(settings.maxTimeoutSeconds ? { OPSLOOM_JOB_MAX_TIMEOUT: String(settings.maxTimeoutSeconds) } : {}),
  });
}

/** The gateway URL of a test server. */
export const gatewayUrl = (s: TestServer): string => `${s.url.replace(/^http/, 'ws')}${AGENT_GATEWAY_PATH}`;

/** Creates a project and an enrolment token for it. */
export async function projectWithToken(api: ApiClient, key: string): Promise<{ projectId: string; token: string }> {
  const p = await api.call<{ id: string }>('POST', '/api/v1/projects', { key, name: key });
  if (p.status !== 201) throw new Error(`project ${key}: ${p.status} ${JSON.stringify(p.body)}`);
  const t = await api.call<{ token: string }>('POST', `/api/v1/projects/${p.body.id}/agent-tokens`, { name: 'test' });
  if (t.status !== 201) throw new Error(`token: ${t.status} ${JSON.stringify(t.body)}`);
  return { projectId: p.body.id, token: t.body.token };
}

/** Real agents started for a test, removed together. */
export class AgentPool {
  readonly agents: Agent[] = [];
  readonly #dirs: string[] = [];

  /** Starts an agent (its own state directory) and waits until it is online; returns it and its host id. */
  async start(server: TestServer, token: string, projectId: string, options: Partial<AgentOptions> & { ip: string }): Promise<{ agent: Agent; hostId: string; stateDir: string }> {
    const stateDir = mkdtempSync(join(tmpdir(), 'opsloom-job-agent-'));
    this.#dirs.push(stateDir);
    const agent = await Agent.start({
      server: gatewayUrl(server), stateDir, enrolToken: token, reconnect: { baseMs: 50, maxMs: 300 }, killGraceMs: 300, drainMs: 100, ...options,
    });
    this.agents.push(agent);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`agent ${options.ip} did not come online`)), 15_000);
      agent.once('online', () => { clearTimeout(timer); resolve(); });
    });
    const hostId = await until(async () => {
      const r = await server.admin.call<{ items: { id: string; ip: string; cloudArea: number; online: boolean }[] }>('GET', `/api/v1/projects/${projectId}/hosts?search=${options.ip}`);
      return r.body.items.find((h) => h.ip === options.ip && h.cloudArea === (options.cloudArea ?? 0) && h.online)?.id;
    }, `host ${options.ip} online`);
    return { agent, hostId, stateDir };
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.agents.map((a) => a.stop().catch(() => undefined)));
    for (const d of this.#dirs) rmSync(d, { recursive: true, force: true });
  }
}

/** Polls `check` until it returns a value other than undefined/false. */
export async function until<T>(check: () => Promise<T | undefined | false>, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Waits until a job has finished (or another condition on it holds). */
export async function waitForJob(api: ApiClient, projectId: string, jobId: string, done: (j: JobView) => boolean = (j) => j.finished, timeoutMs = 30_000): Promise<JobView> {
  return until(async () => {
    const r = await api.call<JobView>('GET', `/api/v1/projects/${projectId}/jobs/${jobId}`);
    return done(r.body) ? r.body : undefined;
  }, `job ${jobId}`, timeoutMs);
}

/** Host results of a job, by run. */
export async function hostResults(api: ApiClient, projectId: string, jobId: string, query = ''): Promise<{ runId: string; hostId: string | null; ip: string; cloudArea: number; status: string; exitCode: number | null; tag: string | null; batch: number; attempt: number; failure: { code: string } | null; logTruncated: boolean }[]> {
  const r = await api.call<{ items: never[] }>('GET', `/api/v1/projects/${projectId}/jobs/${jobId}/hosts${query}`);
  return r.body.items;
}

/** The whole log of a run, as bytes. */
export async function readWholeLog(api: ApiClient, projectId: string, jobId: string, runId: string, pageBytes = 1024 * 1024): Promise<Buffer> {
  const parts: Buffer[] = [];
  let offset = 0;
  for (;;) {
    const r = await api.call<{ data: string; nextOffset: number; storedBytes: number }>('GET', `/api/v1/projects/${projectId}/jobs/${jobId}/runs/${runId}/log?offset=${offset}&limit=${pageBytes}`);
    if (r.status !== 200) throw new Error(`log: ${r.status} ${JSON.stringify(r.body)}`);
    parts.push(Buffer.from(r.body.data, 'base64'));
    if (r.body.nextOffset === offset || r.body.nextOffset >= r.body.storedBytes) return Buffer.concat(parts);
    offset = r.body.nextOffset;
  }
}

/** A signed-in user who is `role` in `projectId` (or in no project). */
export async function userClient(s: TestServer, username: string, membership?: { projectId: string; role: 'viewer' | 'operator' | 'developer' | 'admin' }): Promise<ApiClient> {
  const password = `${username}-password-1`;
  const created = await s.admin.call('POST', '/api/v1/users', { username, password });
  if (created.status !== 201) throw new Error(`user ${username}: ${created.status} ${JSON.stringify(created.body)}`);
  if (membership) {
    const m = await s.admin.call('PUT', `/api/v1/projects/${membership.projectId}/members/${username}`, { role: membership.role });
    if (m.status !== 200) throw new Error(`member ${username}: ${m.status} ${JSON.stringify(m.body)}`);
  }
  const login = await s.anonymous.call<{ token: string }>('POST', '/api/v1/auth/login', { username, password });
  if (login.status !== 200) throw new Error(`login ${username}: ${login.status}`);
  return apiClient(s.url, login.body.token);
}
