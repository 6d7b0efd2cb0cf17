import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { AgentRefusalCode, HostFacts } from '@opsloom/agent/protocol';
import { hashBearer } from '../../auth/secrets.js';
import { NotFoundError } from '../../errors.js';
import { newId } from '../../store/ids.js';
import type { EnrolToken, Host, HostFilter, HostStore, HostWithAgent } from './host-store.js';
import type { RemovedHost, RemovedHostFilter, RemovedHostStore } from './removed-host-store.js';

/** Why an agent was refused at the gateway; the codes are the protocol's. */
export class AgentAuthError extends Error {
  constructor(readonly code: Exclude<AgentRefusalCode, 'PROTOCOL_VERSION_UNSUPPORTED'>, message: string) {
    super(message);
  }
}

const credentialInvalid = (): AgentAuthError =>
  new AgentAuthError('CREDENTIAL_INVALID', 'unknown agent or wrong credential (the host may have been removed or re-enrolled)');

/**
 * The refusal of a removed host's agent: what was removed, when, and what brings it back. It does not
 * name the administrator: the host may be the compromised machine it was removed to keep out.
 */
function agentRemoved(r: RemovedHost): AgentAuthError {
  return new AgentAuthError('AGENT_REMOVED', `host ${r.ip} (cloud area ${r.cloudArea}) was removed from its project by an administrator `
    + `at ${new Date(r.removedAt).toISOString()}; a project administrator must re-admit it (removed host ${r.id}) before any agent can enrol it again`);
}

/** What the removal of a host hands on: its agent is to be disconnected and its runs ended. */
export interface HostRemoval {
  removed: RemovedHost;
  /** The gateway the agent was connected to, or null when it was offline. */
  gatewayId: string | null;
  /** The refusal to send the agent before dropping its connection. */
  refusal: AgentAuthError;
}

const newSecret = (prefix: string): string => prefix + randomBytes(32).toString('base64url');

function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && timingSafeEqual(x, y);
}

/** A new agent's identity, and the host it holds. */
export interface Enrolment {
  agentId: string;
  credential: string;
  host: Host;
}

/** A host without its agent's secrets, as the API shows it. */
export function publicHost(h: Host): Host {
  const { id, projectId, cloudArea, ip, hostname, facts, agentId, online, lastSeenAt, createdAt, updatedAt } = h;
  return { id, projectId, cloudArea, ip, hostname, facts, agentId, online, lastSeenAt, createdAt, updatedAt };
}

/**
 * The hosts inventory of each project and how agents join it: a project admin creates an enrolment
 * token (its secret shown once, stored hashed); an agent trades it for its own credential (also stored
 * hashed) and authenticates with that from then on. Hosts are identified by `(cloudArea, ip)` per project.
 */
export class HostService {
  #onRemoved: ((removal: HostRemoval) => Promise<void>) | null = null;

  constructor(private readonly store: HostStore, private readonly removed: RemovedHostStore) {}

  /** Lets the job service end the runs and drop the connection of an agent whose host was removed. */
  onAgentRemoved(listener: (removal: HostRemoval) => Promise<void>): void {
    this.#onRemoved = listener;
  }

  /** A new enrolment token; `token` is returned here only. */
  async createToken(projectId: string, createdBy: string, input: { name: string; expiresInSeconds?: number }): Promise<EnrolToken & { token: string }> {
    const token = newSecret('ole_');
    const now = Date.now();
    const t: EnrolToken = {
      id: newId(), projectId, name: input.name, createdBy, createdAt: now,
      expiresAt: input.expiresInSeconds ? now + input.expiresInSeconds * 1000 : null, revokedAt: null, lastUsedAt: null, uses: 0,
    };
    await this.store.insertToken({ ...t, tokenHash: hashBearer(token) });
    return { ...t, token };
  }

  listTokens(projectId: string): Promise<EnrolToken[]> {
    return this.store.listTokens(projectId);
  }

  async revokeToken(projectId: string, id: string): Promise<void> {
    if (!(await this.store.revokeToken(projectId, id, Date.now()))) throw new NotFoundError('enrolment token', id);
  }

  /**
   * Enrols an agent with a project token: creates its host (or hands the existing host of the same
   * identity to this agent) and returns the agent's new identity.
   * @throws AgentAuthError `ENROL_TOKEN_INVALID`, or `AGENT_REMOVED` when an administrator removed the host
   */
  async enrol(token: string, facts: HostFacts): Promise<Enrolment> {
    const [result] = await this.enrolMany([{ token, facts }]);
    if (result instanceof AgentAuthError) throw result;
    return result!;
  }

  /**
   * Enrols many agents at once (a first rollout): a few queries for the lot. Each gets its identity,
   * or the error that refused it, in order; a bad token refuses only its own enrolments.
   */
  async enrolMany(requests: readonly { token: string; facts: HostFacts }[]): Promise<(Enrolment | AgentAuthError)[]> {
    const now = Date.now();
    const hashes = requests.map((r) => hashBearer(r.token));
    const tokens = await this.store.tokensByHash(hashes);
    const accepted: { index: number; tokenId: string; host: HostWithAgent; enrolment: Enrolment }[] = [];
    const out: (Enrolment | AgentAuthError)[] = requests.map((r, index) => {
      const t = tokens.get(hashes[index]!);
      if (!t || t.revokedAt !== null || (t.expiresAt !== null && t.expiresAt <= now)) {
        return new AgentAuthError('ENROL_TOKEN_INVALID', 'the enrolment token is unknown, revoked or expired; create a new one on the project\'s agents page');
      }
      const agentId = newId();
      const credential = newSecret('olc_');
      const host: HostWithAgent = {
        id: newId(), projectId: t.projectId, cloudArea: r.facts.cloudArea, ip: r.facts.ips[0]!, hostname: r.facts.hostname, facts: r.facts, agentId,
        online: false, lastSeenAt: null, createdAt: now, updatedAt: now, credentialHash: hashBearer(credential), gatewayId: null, connectionId: null,
      };
      const enrolment = { agentId, credential, host };
      accepted.push({ index, tokenId: t.id, host, enrolment });
      return enrolment;
    });
    if (accepted.length === 0) return out;
    const written = await this.store.enrolMany(accepted.map((a) => a.host));
    const uses = new Map<string, number>();
    accepted.forEach((a, i) => {
      const w = written[i]!;
      if (typeof w !== 'string') {
        out[a.index] = agentRemoved(w);
        return;
      }
      a.enrolment.host.id = w;
      uses.set(a.tokenId, (uses.get(a.tokenId) ?? 0) + 1);
    });
    for (const [tokenId, n] of uses) await this.store.tokenUsed(tokenId, now, n);
    return out;
  }

  /**
   * Checks many credentials at once (a reconnect storm): each agent's host, or why it is refused.
   * Only agents without a host cost a second query, to tell a removed host from an unknown agent.
   */
  async authenticateMany(pairs: { agentId: string; credential: string }[]): Promise<(HostWithAgent | AgentAuthError)[]> {
    const hosts = await this.store.byAgents([...new Set(pairs.map((p) => p.agentId))]);
    const missing = pairs.filter((p) => !hosts.has(p.agentId)).map((p) => p.agentId);
    const removed = missing.length > 0 ? await this.removed.byAgents(missing) : new Map<string, RemovedHost>();
    return pairs.map((p) => {
      const h = hosts.get(p.agentId);
      if (h) return sameHash(h.credentialHash, hashBearer(p.credential)) ? h : credentialInvalid();
      const r = removed.get(p.agentId);
      return r ? agentRemoved(r) : credentialInvalid();
    });
  }

  /**
   * The host of an agent presenting its credential.
   * @throws AgentAuthError `CREDENTIAL_INVALID`, or `AGENT_REMOVED` when an administrator removed its host
   */
  async authenticate(agentId: string, credential: string): Promise<HostWithAgent> {
    const [result] = await this.authenticateMany([{ agentId, credential }]);
    if (result instanceof AgentAuthError) throw result;
    return result!;
  }

  list(projectId: string, filter: HostFilter): Promise<{ items: Host[]; total: number }> {
    return this.store.list(projectId, filter);
  }

  async get(projectId: string, id: string): Promise<Host> {
    const h = await this.store.get(projectId, id);
    if (!h) throw new NotFoundError('host', id);
    return publicHost(h);
  }

  /**
   * Removes a host from the inventory and keeps it out: its agent is refused with `AGENT_REMOVED` at
   * once (it is disconnected, and its runs end), and so is every enrolment of its identity with any
   * token of the project, until an administrator {@link readmit}s it.
   * @throws NotFoundError when the project has no such host
   */
  async remove(projectId: string, id: string, removedBy: string): Promise<RemovedHost> {
    const removedAt = Date.now();
    const h = await this.store.remove(projectId, id, removedBy, removedAt);
    if (!h) throw new NotFoundError('host', id);
    const removed: RemovedHost = { id: h.id, projectId, cloudArea: h.cloudArea, ip: h.ip, hostname: h.hostname, agentId: h.agentId, removedBy, removedAt };
    await this.#onRemoved?.({ removed, gatewayId: h.online ? h.gatewayId : null, refusal: agentRemoved(removed) });
    return removed;
  }

  /** Hosts removed from the project and not re-admitted, most recent first. */
  listRemoved(projectId: string, filter: RemovedHostFilter): Promise<{ items: RemovedHost[]; total: number }> {
    return this.removed.list(projectId, filter);
  }

  /**
   * Re-admits a removed host: its identity may enrol again with a token of the project (its old
   * credential stays invalid, so its agent enrols anew). Returns what was forgotten.
   * @throws NotFoundError when the project has no such removed host
   */
  async readmit(projectId: string, id: string): Promise<RemovedHost> {
    const r = await this.removed.get(projectId, id);
    if (!r || !(await this.removed.delete(projectId, id))) throw new NotFoundError('removed host', id);
    return r;
  }
}
