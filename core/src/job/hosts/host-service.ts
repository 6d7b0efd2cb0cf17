import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { HostFacts } from '@opsloom/agent/protocol';
import { hashBearer } from '../../auth/secrets.js';
import { NotFoundError } from '../../errors.js';
import { newId } from '../../store/ids.js';
import type { EnrolToken, Host, HostFilter, HostStore, HostWithAgent } from './host-store.js';

/** Why an agent was refused at the gateway; the codes are the protocol's. */
export class AgentAuthError extends Error {
  constructor(readonly code: 'ENROL_TOKEN_INVALID' | 'CREDENTIAL_INVALID', message: string) {
    super(message);
  }
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
  #onRemoved: ((agentId: string, gatewayId: string | null) => Promise<void>) | null = null;

  constructor(private readonly store: HostStore) {}

  /** Lets the job service end the runs and drop the connection of an agent whose host was removed. */
  onAgentRemoved(listener: (agentId: string, gatewayId: string | null) => Promise<void>): void {
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
   * @throws AgentAuthError `ENROL_TOKEN_INVALID`
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
    const accepted: { tokenId: string; host: HostWithAgent; enrolment: Enrolment }[] = [];
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
      accepted.push({ tokenId: t.id, host, enrolment });
      return enrolment;
    });
    if (accepted.length === 0) return out;
    const ids = await this.store.enrolMany(accepted.map((a) => a.host));
    accepted.forEach((a, i) => { a.enrolment.host.id = ids[i]!; });
    const uses = new Map<string, number>();
    for (const a of accepted) uses.set(a.tokenId, (uses.get(a.tokenId) ?? 0) + 1);
    for (const [tokenId, n] of uses) await this.store.tokenUsed(tokenId, now, n);
    return out;
  }

  /** Checks many credentials at once (a reconnect storm); null where the credential is refused. */
  async authenticateMany(pairs: { agentId: string; credential: string }[]): Promise<(HostWithAgent | null)[]> {
    const hosts = await this.store.byAgents([...new Set(pairs.map((p) => p.agentId))]);
    return pairs.map((p) => {
      const h = hosts.get(p.agentId);
      return h && sameHash(h.credentialHash, hashBearer(p.credential)) ? h : null;
    });
  }

  /**
   * The host of an agent presenting its credential.
   * @throws AgentAuthError `CREDENTIAL_INVALID`
   */
  async authenticate(agentId: string, credential: string): Promise<HostWithAgent> {
    const host = await this.store.byAgent(agentId);
    if (!host || !sameHash(host.credentialHash, hashBearer(credential))) {
      throw new AgentAuthError('CREDENTIAL_INVALID', 'unknown agent or wrong credential (the host may have been removed or re-enrolled)');
    }
    return host;
  }

  list(projectId: string, filter: HostFilter): Promise<{ items: Host[]; total: number }> {
    return this.store.list(projectId, filter);
  }

  async get(projectId: string, id: string): Promise<Host> {
    const h = await this.store.get(projectId, id);
    if (!h) throw new NotFoundError('host', id);
    return publicHost(h);
  }

  /** Removes a host from the inventory; its agent's credential stops working at once, and its runs end. */
  async remove(projectId: string, id: string): Promise<void> {
    const h = await this.store.get(projectId, id);
    if (!h || !(await this.store.delete(projectId, id))) throw new NotFoundError('host', id);
    await this.#onRemoved?.(h.agentId, h.online ? h.gatewayId : null);
  }
}
