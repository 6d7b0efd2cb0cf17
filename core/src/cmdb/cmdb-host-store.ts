import type { Knex } from 'knex';
import type { Db } from '../store/db.js';
import type { CmdbHost, HostQuery } from './cmdb-model.js';

const CHUNK = 500;

interface HostRow {
  id: string; cloud_area: number; ip: string; hostname: string; facts: string; online: number | boolean;
  set_name: string | null; module_name: string | null;
}

function osOf(facts: string): string {
  try {
    const os = (JSON.parse(facts) as { os?: { platform?: unknown; release?: unknown } }).os;
    return [os?.platform, os?.release].filter((p) => typeof p === 'string' && p).join(' ');
  } catch {
    return '';
  }
}

/** A host that exists only in the inventory, waiting for its agent (see {@link CmdbHostStore.insertAgentless}). */
export interface AgentlessHost {
  id: string;
  projectId: string;
  cloudArea: number;
  ip: string;
  hostname: string;
  at: number;
}

/**
 * The CMDB's view of hosts. Identity and agent state are read from the job service's `job_hosts`
 * (the single host table); placement and labels live in the CMDB's own tables, keyed by host id.
 */
export class CmdbHostStore {
  constructor(private readonly db: Db) {}

  /** Hosts matching the SQL-expressible part of `q` (everything but the label selector), by cloud area and IP. */
  async query(projectId: string, q: Omit<HostQuery, 'selector'>): Promise<CmdbHost[]> {
    const run = async (ids: string[] | undefined, ips: string[] | undefined): Promise<HostRow[]> => {
      const sql = this.db('job_hosts as h')
        .leftJoin('cmdb_host_placements as p', 'p.host_id', 'h.id')
        .leftJoin('cmdb_modules as m', 'm.id', 'p.module_id')
        .leftJoin('cmdb_sets as s', 's.id', 'm.set_id')
        .select('h.id', 'h.cloud_area', 'h.ip', 'h.hostname', 'h.facts', 'h.online', 's.name as set_name', 'm.name as module_name')
        .where('h.project_id', projectId);
      if (q.cloudArea !== undefined) sql.where('h.cloud_area', q.cloudArea);
      if (ids) sql.whereIn('h.id', ids);
      if (ips) sql.whereIn('h.ip', ips);
      if (q.topology) {
        const nodes = q.topology;
        sql.where((w) => {
          for (const n of nodes) {
            w.orWhere((x) => {
              if (n.set !== undefined) x.where('s.name', n.set);
              if (n.module !== undefined) x.where('m.name', n.module);
            });
          }
        });
      }
      return (await sql) as HostRow[];
    };
    // Long id or IP lists are queried in chunks; the other criteria apply to every chunk.
    const rows: HostRow[] = [];
    if (q.hostIds) {
      // With ids, IPs are matched here: bound beside each chunk of ids, 50,000 of them passed SQLite's 32,766 values per statement.
      const ips = q.ips ? new Set(q.ips) : undefined;
      for (let i = 0; i < q.hostIds.length; i += CHUNK) rows.push(...(await run(q.hostIds.slice(i, i + CHUNK), undefined)).filter((r) => !ips || ips.has(r.ip)));
    } else if (q.ips) {
      for (let i = 0; i < q.ips.length; i += CHUNK) rows.push(...(await run(undefined, q.ips.slice(i, i + CHUNK))));
    } else {
      rows.push(...(await run(undefined, undefined)));
    }
    rows.sort((a, b) => Number(a.cloud_area) - Number(b.cloud_area) || a.ip.localeCompare(b.ip));
    const labels = await this.labelsOf(rows.map((r) => r.id));
    return rows.map((r) => ({
      id: r.id, cloudArea: Number(r.cloud_area), ip: r.ip, hostname: r.hostname, os: osOf(r.facts), labels: labels.get(r.id) ?? {},
      set: r.set_name, module: r.module_name, agentOnline: Boolean(r.online),
    }));
  }

  /** Labels of the given hosts. */
  async labelsOf(hostIds: string[]): Promise<Map<string, Record<string, string>>> {
    const out = new Map<string, Record<string, string>>();
    for (let i = 0; i < hostIds.length; i += CHUNK) {
      const rows = await this.db('cmdb_host_labels').select('host_id', 'key', 'value').whereIn('host_id', hostIds.slice(i, i + CHUNK)) as { host_id: string; key: string; value: string }[];
      for (const r of rows) {
        const l = out.get(r.host_id) ?? {};
        l[r.key] = r.value;
        out.set(r.host_id, l);
      }
    }
    return out;
  }

  /** Ids among `hostIds` that are hosts of the project. */
  async existing(projectId: string, hostIds: string[], trx: Db = this.db): Promise<Set<string>> {
    const out = new Set<string>();
    for (let i = 0; i < hostIds.length; i += CHUNK) {
      const rows = await trx('job_hosts').select('id').where({ project_id: projectId }).whereIn('id', hostIds.slice(i, i + CHUNK)) as { id: string }[];
      for (const r of rows) out.add(r.id);
    }
    return out;
  }

  /** Host ids of the project by `cloudArea|ip`. */
  async idsByIdentity(projectId: string, pairs: { cloudArea: number; ip: string }[], trx: Db = this.db): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    const byArea = new Map<number, string[]>();
    for (const p of pairs) byArea.set(p.cloudArea, [...(byArea.get(p.cloudArea) ?? []), p.ip]);
    for (const [area, ips] of byArea) {
      for (let i = 0; i < ips.length; i += CHUNK) {
        const rows = await trx('job_hosts').select('id', 'ip').where({ project_id: projectId, cloud_area: area }).whereIn('ip', ips.slice(i, i + CHUNK)) as { id: string; ip: string }[];
        for (const r of rows) out.set(`${area}|${r.ip}`, r.id);
      }
    }
    return out;
  }

  /**
   * Adds a host no agent has claimed yet. It gets a placeholder agent identity that no credential
   * matches (an empty hash), so jobs see it as offline; when an agent of the same `(cloudArea, ip)`
   * enrols, the job service hands this row (and its id, placement and labels) to that agent.
   */
  async insertAgentless(h: AgentlessHost, agentId: string, trx: Db): Promise<void> {
    await trx('job_hosts').insert({
      id: h.id, project_id: h.projectId, cloud_area: h.cloudArea, ip: h.ip, hostname: h.hostname,
      facts: JSON.stringify({ hostname: h.hostname, os: { platform: '', release: '', arch: '' }, ips: [h.ip], cloudArea: h.cloudArea, agentVersion: '', languages: [] }),
      agent_id: agentId, credential_hash: '', online: false, gateway_id: null, connection_id: null, last_seen_at: null,
      created_at: h.at, updated_at: h.at,
    });
  }

  async setHostname(projectId: string, hostId: string, hostname: string, at: number, trx: Db): Promise<void> {
    await trx('job_hosts').where({ project_id: projectId, id: hostId }).update({ hostname, updated_at: at });
  }

  /** Moves hosts into a module, or to the idle pool when `moduleId` is null. */
  async place(projectId: string, hostIds: string[], moduleId: string | null, at: number, trx: Db = this.db): Promise<void> {
    for (let i = 0; i < hostIds.length; i += CHUNK) {
      const ids = hostIds.slice(i, i + CHUNK);
      await trx('cmdb_host_placements').whereIn('host_id', ids).delete();
      if (moduleId) await trx('cmdb_host_placements').insert(ids.map((id) => ({ host_id: id, project_id: projectId, module_id: moduleId, updated_at: at })));
    }
  }

  /** Sets `set` labels and removes `remove` keys on each host. */
  async changeLabels(projectId: string, hostIds: string[], set: Record<string, string>, remove: string[], trx: Db = this.db): Promise<void> {
    const keys = [...new Set([...Object.keys(set), ...remove])];
    if (keys.length === 0) return;
    for (let i = 0; i < hostIds.length; i += CHUNK) {
      const ids = hostIds.slice(i, i + CHUNK);
      await trx('cmdb_host_labels').whereIn('host_id', ids).whereIn('key', keys).delete();
      const rows = ids.flatMap((id) => Object.entries(set).map(([key, value]) => ({ host_id: id, project_id: projectId, key, value })));
      for (let j = 0; j < rows.length; j += CHUNK) await trx('cmdb_host_labels').insert(rows.slice(j, j + CHUNK));
    }
  }

  /** Replaces every label of one host. */
  async replaceLabels(projectId: string, hostId: string, labels: Record<string, string>, trx: Db): Promise<void> {
    await trx('cmdb_host_labels').where({ host_id: hostId }).delete();
    const rows = Object.entries(labels).map(([key, value]) => ({ host_id: hostId, project_id: projectId, key, value }));
    if (rows.length > 0) await trx('cmdb_host_labels').insert(rows);
  }

  /** Runs `fn` in one transaction. */
  transaction<T>(fn: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
    return this.db.transaction(fn);
  }
}

