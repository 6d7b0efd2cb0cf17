import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { Agent, type AgentLogger } from '@opsloom/agent';
import { AGENT_GATEWAY_PATH } from '@opsloom/agent/protocol';
import type { Logger } from 'pino';
import type { HostService } from '../job/hosts/host-service.js';

/** The address the local agent reports: this machine as seen from itself. */
export const LOCAL_AGENT_IP = '127.0.0.1';

/** Dependencies of {@link startLocalAgent}. */
export interface LocalAgentDeps {
  /** `http://host:port` of this core process. */
  coreUrl: string;
  dataDir: string;
  projectId: string;
  /** User id recorded as the creator of the enrolment token. */
  createdBy: string;
  hosts: HostService;
  log: Logger;
  /** How long to wait for the agent to come online before carrying on without it. @default 15000 */
  onlineTimeoutMs?: number;
}

/** The running local agent, and whether it came online in time. */
export interface LocalAgent {
  agent: Agent;
  online: boolean;
  stop(): Promise<void>;
}

function agentLogger(log: Logger): AgentLogger {
  const child = log.child({ component: 'local-agent' });
  return {
    info: (msg, fields) => child.debug(fields ?? {}, msg),
    warn: (msg, fields) => child.warn(fields ?? {}, msg),
    error: (msg, fields) => child.error(fields ?? {}, msg),
  };
}

/**
 * Starts an agent for this machine inside the core process, with its identity in
 * `<dataDir>/agent`. The first start creates a one-hour enrolment token for the demo project and
 * revokes it once the agent enrolled; later starts reuse the stored identity.
 */
export async function startLocalAgent(deps: LocalAgentDeps): Promise<LocalAgent> {
  const stateDir = join(deps.dataDir, 'agent');
  const enrolled = existsSync(join(stateDir, 'identity.json'));
  const token = enrolled ? undefined : await deps.hosts.createToken(deps.projectId, deps.createdBy, { name: 'local agent (first start)', expiresInSeconds: 3600 });
  const server = `${deps.coreUrl.replace(/^http/, 'ws')}${AGENT_GATEWAY_PATH}`;
  const agent = await Agent.start({
    server, stateDir, ip: LOCAL_AGENT_IP, hostname: hostname(), cloudArea: 0,
    ...(token ? { enrolToken: token.token } : {}),
    reconnect: { baseMs: 200, maxMs: 5000 },
    logger: agentLogger(deps.log),
  });
  agent.on('problem', (p: { code: string; message: string }) => {
    deps.log.warn({ code: p.code }, `local agent: ${p.message}${p.code === 'CREDENTIAL_INVALID' ? ` (remove ${join(stateDir, 'identity.json')} to enrol again)` : ''}`);
  });
  const online = await new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), deps.onlineTimeoutMs ?? 15_000);
    agent.once('online', () => { clearTimeout(timer); resolve(true); });
  });
  if (token && online) await deps.hosts.revokeToken(deps.projectId, token.id).catch((err: unknown) => deps.log.warn({ err }, 'local agent: could not revoke its enrolment token'));
  if (!online) deps.log.warn({ server }, 'local agent: not online yet; it keeps retrying in the background');
  return { agent, online, stop: () => agent.stop() };
}
