import type { Knex } from 'knex';
import type { Db } from '../../store/db.js';
import type { RemovedHostView } from '../api-types.js';
import { whereLike } from '../../store/like.js';
import { slices } from '../../store/slices.js';

/**
 * What is remembered of a host an administrator removed (its tombstone): the API's fields
 * ({@link RemovedHostView}) with the time in epoch milliseconds. Its identity `(project, cloud area, IP)`
 * and its last agent id stay refused until an administrator re-admits it.
 */
export interface RemovedHost extends Omit<RemovedHostView, 'removedAt'> {
  removedAt: number;
}

/** A host identity within a project. */
export interface HostIdentity {
  projectId: string;
  cloudArea: number;
  ip: string;
}

/** Filters of {@link RemovedHostStore.list}. */
export interface RemovedHostFilter {
  /** Substring of the IP or host name. */
  search?: string;
  limit: number;
  offset: number;
}

interface RemovedHostRow {
  id: string; project_id: string; cloud_area: number; ip: string; hostname: string; agent_id: string;
  removed_by: string; removed_at: number;
}

const TABLE = 'job_removed_hosts';

/** One key per identity, for maps. */
export const identityKey = (h: HostIdentity): string => `${h.projectId}\u0000${h.cloudArea}\u0000${h.ip}`;

function toRemovedHost(r: RemovedHostRow): RemovedHost {
  return {
    id: r.id, projectId: r.project_id, cloudArea: Number(r.cloud_area), ip: r.ip, hostname: r.hostname, agentId: r.agent_id,
    removedBy: r.removed_by, removedAt: Number(r.removed_at),
  };
}

/**
 * Records a removal, inside the transaction that deletes the host. An older tombstone of the same
 * identity (there should be none: a removed identity cannot enrol) is replaced.
 */
export async function recordRemoval(trx: Knex, r: RemovedHost): Promise<void> {
  await trx(TABLE).insert({
    id: r.id, project_id: r.projectId, cloud_area: r.cloudArea, ip: r.ip, hostname: r.hostname, agent_id: r.agentId,
    removed_by: r.removedBy, removed_at: r.removedAt,
  }).onConflict(['project_id', 'cloud_area', 'ip']).merge();
}

/** The tombstones among these identities, by {@link identityKey}; `q` may be a transaction. */
export async function removedAmong(q: Knex, identities: readonly HostIdentity[]): Promise<Map<string, RemovedHost>> {
  const out = new Map<string, RemovedHost>();
  for (const part of slices([...new Map(identities.map((i) => [identityKey(i), i])).values()], 150)) {
    const rows = await q<RemovedHostRow>(TABLE).whereIn(['project_id', 'cloud_area', 'ip'], part.map((i) => [i.projectId, i.cloudArea, i.ip]));
    for (const r of rows) {
      const removed = toRemovedHost(r);
      out.set(identityKey(removed), removed);
    }
  }
  return out;
}

/** Tombstones of removed hosts: listed, looked up by the agent that held the host, and deleted to re-admit. */
export class RemovedHostStore {
  constructor(private readonly db: Db) {}

  async list(projectId: string, f: RemovedHostFilter): Promise<{ items: RemovedHost[]; total: number }> {
    const q = this.db<RemovedHostRow>(TABLE).where({ project_id: projectId });
    if (f.search) whereLike(q, ['ip', 'hostname'], f.search);
    const total = Number(((await q.clone().count({ n: '*' }).first()) as { n: number } | undefined)?.n ?? 0);
    const rows = await q.orderBy([{ column: 'removed_at', order: 'desc' }, { column: 'id', order: 'desc' }]).limit(f.limit).offset(f.offset);
    return { items: rows.map(toRemovedHost), total };
  }

  async get(projectId: string, id: string): Promise<RemovedHost | undefined> {
    const row = await this.db<RemovedHostRow>(TABLE).where({ project_id: projectId, id }).first();
    return row ? toRemovedHost(row) : undefined;
  }

  /** Tombstones naming these agents (the last agent of each removed host), by agent id. */
  async byAgents(agentIds: readonly string[]): Promise<Map<string, RemovedHost>> {
    const out = new Map<string, RemovedHost>();
    for (const part of slices([...new Set(agentIds)], 500)) {
      for (const r of await this.db<RemovedHostRow>(TABLE).whereIn('agent_id', part)) out.set(r.agent_id, toRemovedHost(r));
    }
    return out;
  }

  /** Forgets a removal, so the host may enrol again; false when there was none. */
  async delete(projectId: string, id: string): Promise<boolean> {
    return (await this.db(TABLE).where({ project_id: projectId, id }).delete()) > 0;
  }
}
