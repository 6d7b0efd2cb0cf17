import type { HostFacts } from '@opsloom/agent/protocol';
import type { Knex } from 'knex';
import type { Db } from '../../store/db.js';
import type { EnrolTokenView, HostView } from '../api-types.js';
import { isSqlite } from '../../store/dialect.js';
import { whereLike } from '../../store/like.js';
import { slices } from '../../store/slices.js';
import { identityKey, recordRemoval, removedAmong, type RemovedHost } from './removed-host-store.js';

/**
 * A host of a project: one `(cloudArea, ip)` with its agent. The fields are the API's
 * ({@link HostView}), with times in epoch milliseconds.
 */
export interface Host extends Omit<HostView, 'lastSeenAt' | 'createdAt' | 'updatedAt'> {
  lastSeenAt: number | null;
  createdAt: number;
  updatedAt: number;
}

/** A host with what the gateway needs to authenticate and route to its agent. */
export interface HostWithAgent extends Host {
  credentialHash: string;
  gatewayId: string | null;
  connectionId: string | null;
}

/**
 * A project enrolment token (its secret is only ever stored hashed): the API's fields
 * ({@link EnrolTokenView}) with times in epoch milliseconds, plus its project and creator.
 */
export interface EnrolToken extends Omit<EnrolTokenView, 'createdAt' | 'expiresAt' | 'revokedAt' | 'lastUsedAt'> {
  projectId: string;
  createdBy: string;
  createdAt: number;
  expiresAt: number | null;
  revokedAt: number | null;
  lastUsedAt: number | null;
}

/** Filters of {@link HostStore.list}. */
export interface HostFilter {
  online?: boolean;
  cloudArea?: number;
  /** Substring of the IP or host name. */
  search?: string;
  limit: number;
  offset: number;
}

interface HostRow {
  id: string; project_id: string; cloud_area: number; ip: string; hostname: string; facts: string; agent_id: string;
  credential_hash: string; online: number | boolean; gateway_id: string | null; connection_id: string | null;
  last_seen_at: number | null; created_at: number; updated_at: number;
}
interface TokenRow {
  id: string; project_id: string; name: string; token_hash: string; created_by: string; created_at: number;
  expires_at: number | null; revoked_at: number | null; last_used_at: number | null; uses: number;
}


const num = (v: number | null): number | null => (v === null || v === undefined ? null : Number(v));

function toHost(r: HostRow): HostWithAgent {
  return {
    id: r.id, projectId: r.project_id, cloudArea: Number(r.cloud_area), ip: r.ip, hostname: r.hostname, facts: JSON.parse(r.facts) as HostFacts,
    agentId: r.agent_id, online: Boolean(r.online), lastSeenAt: num(r.last_seen_at), createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at), credentialHash: r.credential_hash, gatewayId: r.gateway_id, connectionId: r.connection_id,
  };
}

function toToken(r: TokenRow): EnrolToken {
  return {
    id: r.id, projectId: r.project_id, name: r.name, createdBy: r.created_by, createdAt: Number(r.created_at),
    expiresAt: num(r.expires_at), revokedAt: num(r.revoked_at), lastUsedAt: num(r.last_used_at), uses: Number(r.uses),
  };
}

/** Hosts, their agents' identities and connection state, and enrolment tokens. */
export class HostStore {
  constructor(private readonly db: Db) {}

  async insertToken(t: EnrolToken & { tokenHash: string }): Promise<void> {
    await this.db('job_enrol_tokens').insert({
      id: t.id, project_id: t.projectId, name: t.name, token_hash: t.tokenHash, created_by: t.createdBy, created_at: t.createdAt,
      expires_at: t.expiresAt, revoked_at: null, last_used_at: null, uses: 0,
    });
  }

  async listTokens(projectId: string): Promise<EnrolToken[]> {
    return (await this.db<TokenRow>('job_enrol_tokens').where({ project_id: projectId }).orderBy('id', 'desc')).map(toToken);
  }

  async revokeToken(projectId: string, id: string, at: number): Promise<boolean> {
    return (await this.db('job_enrol_tokens').where({ project_id: projectId, id }).whereNull('revoked_at').update({ revoked_at: at })) > 0;
  }

  /** The tokens with these hashes (unknown hashes are absent), by hash. */
  async tokensByHash(hashes: readonly string[]): Promise<Map<string, EnrolToken>> {
    const out = new Map<string, EnrolToken>();
    for (const part of slices([...new Set(hashes)], 500)) {
      for (const row of await this.db<TokenRow>('job_enrol_tokens').whereIn('token_hash', part)) out.set(row.token_hash, toToken(row));
    }
    return out;
  }

  /** Counts `uses` enrolments with the token. */
  async tokenUsed(id: string, at: number, uses = 1): Promise<void> {
    await this.db('job_enrol_tokens').where({ id }).update({ last_used_at: at, uses: this.db.raw('uses + ?', [uses]) });
  }

  async byAgent(agentId: string): Promise<HostWithAgent | undefined> {
    const row = await this.db<HostRow>('job_hosts').where({ agent_id: agentId }).first();
    return row ? toHost(row) : undefined;
  }

  /** Hosts of these agents, in one query per 500. */
  async byAgents(agentIds: string[]): Promise<Map<string, HostWithAgent>> {
    const out = new Map<string, HostWithAgent>();
    for (let i = 0; i < agentIds.length; i += 500) {
      for (const r of await this.db<HostRow>('job_hosts').whereIn('agent_id', agentIds.slice(i, i + 500))) out.set(r.agent_id, toHost(r));
    }
    return out;
  }

  /**
   * Records new connections of many agents: one UPDATE per 300 agents (per-agent values through CASE),
   * not one per agent, so a reconnect storm of thousands costs a handful of statements.
   */
  async connectedMany(items: { agentId: string; gatewayId: string; connectionId: string; facts: HostFacts }[], at: number): Promise<void> {
    // The last connection of an agent wins, as the one-by-one updates did.
    const latest = [...new Map(items.map((c) => [c.agentId, c])).values()];
    await this.db.transaction(async (trx) => {
      for (let i = 0; i < latest.length; i += 300) {
        const part = latest.slice(i, i + 300);
        for (const gatewayId of new Set(part.map((c) => c.gatewayId))) {
          const group = part.filter((c) => c.gatewayId === gatewayId);
          const byAgent = (column: (c: (typeof group)[number]) => string): Knex.Raw => trx.raw(
            `CASE agent_id ${group.map(() => 'WHEN ? THEN ?').join(' ')} END`, group.flatMap((c) => [c.agentId, column(c)]),
          );
          await trx('job_hosts').whereIn('agent_id', group.map((c) => c.agentId)).update({
            online: true, gateway_id: gatewayId, last_seen_at: at, updated_at: at,
            connection_id: byAgent((c) => c.connectionId), hostname: byAgent((c) => c.facts.hostname), facts: byAgent((c) => JSON.stringify(c.facts)),
          });
        }
      }
    });
  }

  async byIdentity(projectId: string, cloudArea: number, ip: string): Promise<HostWithAgent | undefined> {
    const row = await this.db<HostRow>('job_hosts').where({ project_id: projectId, cloud_area: cloudArea, ip }).first();
    return row ? toHost(row) : undefined;
  }

  async get(projectId: string, id: string): Promise<HostWithAgent | undefined> {
    const row = await this.db<HostRow>('job_hosts').where({ project_id: projectId, id }).first();
    return row ? toHost(row) : undefined;
  }

  /** Hosts of the project among `ids` (others' hosts are simply not returned). */
  async byIds(projectId: string, ids: string[]): Promise<HostWithAgent[]> {
    const out: HostWithAgent[] = [];
    for (let i = 0; i < ids.length; i += 500) {
      const rows = await this.db<HostRow>('job_hosts').where({ project_id: projectId }).whereIn('id', ids.slice(i, i + 500));
      out.push(...rows.map(toHost));
    }
    return out;
  }

  /** Hosts of the project among the given identities. */
  async byIdentities(projectId: string, pairs: { cloudArea: number; ip: string }[]): Promise<HostWithAgent[]> {
    const out: HostWithAgent[] = [];
    const byArea = new Map<number, string[]>();
    for (const p of pairs) byArea.set(p.cloudArea, [...(byArea.get(p.cloudArea) ?? []), p.ip]);
    for (const [area, ips] of byArea) {
      for (let i = 0; i < ips.length; i += 500) {
        const rows = await this.db<HostRow>('job_hosts').where({ project_id: projectId, cloud_area: area }).whereIn('ip', ips.slice(i, i + 500));
        out.push(...rows.map(toHost));
      }
    }
    return out;
  }

  /** Connection state of the agents named (for dispatch routing). */
  async routes(agentIds: string[]): Promise<Map<string, { online: boolean; gatewayId: string | null }>> {
    const out = new Map<string, { online: boolean; gatewayId: string | null }>();
    for (let i = 0; i < agentIds.length; i += 500) {
      const rows = await this.db<HostRow>('job_hosts').select('agent_id', 'online', 'gateway_id').whereIn('agent_id', agentIds.slice(i, i + 500));
      for (const r of rows) out.set(r.agent_id, { online: Boolean(r.online), gatewayId: r.gateway_id });
    }
    return out;
  }

  async list(projectId: string, f: HostFilter): Promise<{ items: Host[]; total: number }> {
    const q = this.db<HostRow>('job_hosts').where({ project_id: projectId });
    if (f.online !== undefined) q.where({ online: f.online });
    if (f.cloudArea !== undefined) q.where({ cloud_area: f.cloudArea });
    if (f.search) whereLike(q, ['ip', 'hostname'], f.search);
    const total = Number(((await q.clone().count({ n: '*' }).first()) as { n: number } | undefined)?.n ?? 0);
    const rows = await q.orderBy([{ column: 'cloud_area' }, { column: 'ip' }]).limit(f.limit).offset(f.offset);
    return { items: rows.map(toHost), total };
  }

  /**
   * Creates each host, or hands the existing host of the same identity (project, cloud area, IP) to
   * the new agent identity; one transaction for the lot (a first rollout enrols thousands at once).
   * Of several enrolments of one identity in the batch, the last holds the host, as if one after
   * the other. Returns each enrolment's host id, in order, or the tombstone of a removed identity,
   * which refuses that enrolment and writes nothing for it.
   */
  async enrolMany(hosts: readonly Omit<HostWithAgent, 'online' | 'lastSeenAt' | 'gatewayId' | 'connectionId'>[]): Promise<(string | RemovedHost)[]> {
    return this.db.transaction(async (trx) => {
      const last = new Map<string, (typeof hosts)[number]>();
      for (const h of hosts) last.set(identityKey(h), h);
      const existing = new Map<string, string>();
      for (const part of slices([...last.values()], 150)) {
        const rows = await trx<HostRow>('job_hosts').select('id', 'project_id', 'cloud_area', 'ip')
          .whereIn(['project_id', 'cloud_area', 'ip'], part.map((h) => [h.projectId, h.cloudArea, h.ip]));
        for (const r of rows) existing.set(identityKey({ projectId: r.project_id, cloudArea: Number(r.cloud_area), ip: r.ip }), r.id);
      }
      const inserts = [];
      for (const [key, h] of last) {
        const id = existing.get(key);
        if (id) {
          await trx('job_hosts').where({ id }).update({
            agent_id: h.agentId, credential_hash: h.credentialHash, hostname: h.hostname, facts: JSON.stringify(h.facts),
            online: false, gateway_id: null, connection_id: null, updated_at: h.updatedAt,
          });
          continue;
        }
        existing.set(key, h.id);
        inserts.push({
          id: h.id, project_id: h.projectId, cloud_area: h.cloudArea, ip: h.ip, hostname: h.hostname,
          facts: JSON.stringify(h.facts), agent_id: h.agentId, credential_hash: h.credentialHash, online: false,
          gateway_id: null, connection_id: null, last_seen_at: null, created_at: h.createdAt, updated_at: h.updatedAt,
        });
      }
      for (const part of slices(inserts, 30)) await trx('job_hosts').insert(part);
      // Tombstones are read after the writes, in the same transaction, so a removal racing with this
      // enrolment leaves no host behind: committed first, it is seen here and the row written is taken
      // back; committed later, it locks and deletes that row. Read before the writes, a removal could
      // commit in between and the enrolment would bring the host back.
      const removed = await removedAmong(trx, [...last.values()]);
      const refused = [...last.values()].filter((h) => removed.has(identityKey(h)));
      for (const part of slices(refused.map((h) => h.agentId), 500)) await trx('job_hosts').whereIn('agent_id', part).delete();
      return hosts.map((h) => removed.get(identityKey(h)) ?? existing.get(identityKey(h))!);
    });
  }

  /** Records a new connection of the agent (this gateway now owns it) and its current facts. */
  async connected(agentId: string, gatewayId: string, connectionId: string, facts: HostFacts, at: number): Promise<void> {
    await this.db('job_hosts').where({ agent_id: agentId }).update({
      online: true, gateway_id: gatewayId, connection_id: connectionId, last_seen_at: at, hostname: facts.hostname,
      facts: JSON.stringify(facts), updated_at: at,
    });
  }

  /** Marks the agent offline, unless a newer connection took over since. */
  async disconnected(agentId: string, connectionId: string, at: number): Promise<void> {
    await this.db('job_hosts').where({ agent_id: agentId, connection_id: connectionId }).update({ online: false, last_seen_at: at, gateway_id: null });
  }

  /** Last-seen times, written in bulk (heartbeats are not one write each). */
  async seen(agentIds: string[], at: number): Promise<void> {
    for (let i = 0; i < agentIds.length; i += 500) {
      await this.db('job_hosts').whereIn('agent_id', agentIds.slice(i, i + 500)).update({ last_seen_at: at });
    }
  }

  /** Marks offline every agent silent since `before` or owned by a gateway that is gone. */
  async sweepOffline(before: number, deadGateways: string[]): Promise<number> {
    let n = await this.db('job_hosts').where({ online: true }).where('last_seen_at', '<', before).update({ online: false, gateway_id: null });
    if (deadGateways.length > 0) n += await this.db('job_hosts').where({ online: true }).whereIn('gateway_id', deadGateways).update({ online: false, gateway_id: null });
    return n;
  }

  /** Gateways that own online agents. */
  async gatewaysInUse(): Promise<string[]> {
    return (await this.db('job_hosts').distinct('gateway_id').where({ online: true }).whereNotNull('gateway_id')).map((r: { gateway_id: string }) => r.gateway_id);
  }

  /**
   * Removes a host and records its tombstone in one transaction; returns the host as it was removed
   * (with the agent that held it at that moment), or undefined when there is no such host.
   */
  async remove(projectId: string, id: string, removedBy: string, at: number): Promise<HostWithAgent | undefined> {
    return this.db.transaction(async (trx) => {
      const q = trx<HostRow>('job_hosts').where({ project_id: projectId, id });
      // Locked, so an enrolment taking the host over meanwhile either lands before (its agent is the one recorded) or finds it gone.
      const row = await (isSqlite(trx) ? q : q.forUpdate()).first();
      if (!row) return undefined;
      const host = toHost(row);
      await recordRemoval(trx, {
        id: host.id, projectId, cloudArea: host.cloudArea, ip: host.ip, hostname: host.hostname, agentId: host.agentId, removedBy, removedAt: at,
      });
      await trx('job_hosts').where({ id }).delete();
      return host;
    });
  }
}
