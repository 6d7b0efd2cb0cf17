import { ConflictError, NotFoundError, StateError, ValidationError } from '../errors.js';
import { isUniqueViolation } from '../store/db.js';
import { newId } from '../store/ids.js';
import type { CmdbHostStore } from './cmdb-host-store.js';
import { ImportRejectedError, selectorError } from './cmdb-errors.js';
import type { CmdbHost, CmdbModule, CmdbSet, DynamicGroup, GroupQuery, HostQuery, TargetSpec, TopologyNode } from './cmdb-model.js';
import type { GroupStore } from './group-store.js';
import type { ImportRow, ImportRowError } from './host-import.js';
import { equalityRequirements, LabelSelectorError, matchesLabels, parseLabelSelector, type LabelRequirement } from './label-selector.js';
import type { TopologyStore } from './topology-store.js';

/** The topology tree as the API and `cmdb.read {kind: 'topology'}` show it. */
export interface TopologyTree {
  sets: { id: string; name: string; description: string | null; modules: { id: string; name: string; description: string | null; hostCount: number }[] }[];
  idleHostCount: number;
}

/** What one import did. */
export interface ImportResult {
  created: number;
  updated: number;
  setsCreated: number;
  modulesCreated: number;
}

/**
 * The CMDB of each project (bk-cmdb's shape): project → set → module → hosts, plus free host labels
 * and dynamic groups. Hosts are the job service's inventory (agent registration) and imports; the
 * job service resolves topology nodes, groups and selectors through {@link resolveTargets} when a job starts.
 *
 * @example
 * const ids = await cmdb.resolveTargets(projectId, { topology: [{ set: 'shop', module: 'web' }], group: 'canaries' });
 * await jobs.executeScript({ hostIds: ids, content: 'uptime', language: 'bash' }, actor);
 */
export class CmdbService {
  constructor(private readonly topology: TopologyStore, private readonly hosts: CmdbHostStore, private readonly groups: GroupStore) {}

  // ------------------------------------------------------------------ topology

  async tree(projectId: string): Promise<TopologyTree> {
    const [sets, modules, counts, idle] = await Promise.all([
      this.topology.sets(projectId), this.topology.modules(projectId), this.topology.hostCounts(projectId), this.topology.idleCount(projectId),
    ]);
    return {
      sets: sets.map((s) => ({
        id: s.id, name: s.name, description: s.description,
        modules: modules.filter((m) => m.setId === s.id).map((m) => ({ id: m.id, name: m.name, description: m.description, hostCount: counts.get(m.id) ?? 0 })),
      })),
      idleHostCount: idle,
    };
  }

  /** @throws ConflictError `set_exists` */
  async createSet(projectId: string, input: { name: string; description?: string | null }): Promise<CmdbSet> {
    const now = Date.now();
    const set: CmdbSet = { id: newId(), projectId, name: input.name, description: input.description ?? null, createdAt: now, updatedAt: now };
    await unique(() => this.topology.insertSet(set), `a set named ${input.name} exists already`, 'set_exists');
    return set;
  }

  async updateSet(projectId: string, setId: string, patch: { name?: string; description?: string | null }): Promise<CmdbSet> {
    const ok = await unique(() => this.topology.updateSet(projectId, setId, patch, Date.now()), `a set named ${patch.name} exists already`, 'set_exists');
    if (!ok) throw new NotFoundError('set', setId);
    return (await this.topology.set(projectId, setId))!;
  }

  /** Deletes a set with its modules. @throws StateError `set_not_empty` while a module of it holds hosts */
  async deleteSet(projectId: string, setId: string): Promise<void> {
    const r = await this.topology.deleteEmptySet(projectId, setId);
    if (r === 'missing') throw new NotFoundError('set', setId);
    if (r === 'not-empty') throw new StateError('hosts are still in modules of this set; move them to another module or to the idle pool first', 'set_not_empty');
  }

  /** @throws NotFoundError (set), ConflictError `module_exists` */
  async createModule(projectId: string, setId: string, input: { name: string; description?: string | null }): Promise<CmdbModule> {
    if (!(await this.topology.set(projectId, setId))) throw new NotFoundError('set', setId);
    const now = Date.now();
    const mod: CmdbModule = { id: newId(), projectId, setId, name: input.name, description: input.description ?? null, createdAt: now, updatedAt: now };
    await unique(() => this.topology.insertModule(mod), `the set has a module named ${input.name} already`, 'module_exists');
    return mod;
  }

  async updateModule(projectId: string, moduleId: string, patch: { name?: string; description?: string | null }): Promise<CmdbModule> {
    const ok = await unique(() => this.topology.updateModule(projectId, moduleId, patch, Date.now()), `the set has a module named ${patch.name} already`, 'module_exists');
    if (!ok) throw new NotFoundError('module', moduleId);
    return (await this.topology.module(projectId, moduleId))!;
  }

  /** @throws StateError `module_not_empty` while it holds hosts */
  async deleteModule(projectId: string, moduleId: string): Promise<void> {
    const r = await this.topology.deleteEmptyModule(projectId, moduleId);
    if (r === 'missing') throw new NotFoundError('module', moduleId);
    if (r === 'not-empty') throw new StateError('hosts are still in this module; move them to another module or to the idle pool first', 'module_not_empty');
  }

  // ------------------------------------------------------------------ hosts

  /**
   * Hosts matching every given criterion, by cloud area and IP.
   * @example await cmdb.findHosts(p, { topology: [{ set: 'shop' }], selector: parseSelector('env=prod') })
   */
  async findHosts(projectId: string, q: HostQuery): Promise<CmdbHost[]> {
    const found = await this.hosts.query(projectId, q);
    return q.selector && q.selector.length > 0 ? found.filter((h) => matchesLabels(q.selector!, h.labels)) : found;
  }

  /** Hosts of a saved dynamic group, resolved now. @throws NotFoundError */
  async groupHosts(projectId: string, name: string): Promise<CmdbHost[]> {
    return this.findHosts(projectId, toHostQuery((await this.group(projectId, name)).query, 'query.selector'));
  }

  /** Moves hosts into a module, or to the idle pool (`moduleId` null). @throws NotFoundError for an unknown module or host */
  async placeHosts(projectId: string, hostIds: string[], moduleId: string | null): Promise<void> {
    if (moduleId !== null && !(await this.topology.module(projectId, moduleId))) throw new NotFoundError('module', moduleId);
    await this.#requireHosts(projectId, hostIds);
    await this.hosts.place(projectId, [...new Set(hostIds)], moduleId, Date.now());
  }

  /** Sets and removes labels on hosts. @throws NotFoundError for an unknown host */
  async changeLabels(projectId: string, hostIds: string[], set: Record<string, string>, remove: string[]): Promise<void> {
    const both = remove.filter((k) => Object.hasOwn(set, k));
    if (both.length > 0) throw new ValidationError(`body.remove: label ${both[0]} is both set and removed`, [{ path: 'body.remove', message: 'a label is both set and removed' }]);
    await this.#requireHosts(projectId, hostIds);
    await this.hosts.changeLabels(projectId, [...new Set(hostIds)], set, remove);
  }

  /**
   * Imports validated rows in one transaction: unknown `(cloudArea, ip)` become hosts waiting for
   * their agent, known ones are updated; hosts go to the named module; labels given replace the
   * host's labels. Sets and modules must exist unless `createTopology` is set.
   * @throws ImportRejectedError listing every bad row; nothing is written then
   */
  async importHosts(projectId: string, rows: ImportRow[], options: { createTopology: boolean }): Promise<ImportResult> {
    const result: ImportResult = { created: 0, updated: 0, setsCreated: 0, modulesCreated: 0 };
    await this.hosts.transaction(async (trx) => {
      const sets = new Map((await this.topology.sets(projectId, trx)).map((s) => [s.name, s.id]));
      const modules = new Map((await this.topology.modules(projectId, trx)).map((m) => [`${m.setId}|${m.name}`, m.id]));
      const errors: ImportRowError[] = [];
      const moduleOf = new Map<number, string | null>();
      const now = Date.now();
      for (const r of rows) {
        if (r.set === null || r.module === null) continue;
        let setId = sets.get(r.set);
        if (!setId && options.createTopology) {
          setId = newId();
          await this.topology.insertSet({ id: setId, projectId, name: r.set, description: null, createdAt: now, updatedAt: now }, trx);
          sets.set(r.set, setId);
          result.setsCreated++;
        }
        if (!setId) {
          errors.push({ row: r.row, ...(r.line !== undefined ? { line: r.line } : {}), field: 'set', message: `set "${r.set}" does not exist; create it first or import with createTopology: true` });
          continue;
        }
        let moduleId = modules.get(`${setId}|${r.module}`);
        if (!moduleId && options.createTopology) {
          moduleId = newId();
          await this.topology.insertModule({ id: moduleId, projectId, setId, name: r.module, description: null, createdAt: now, updatedAt: now }, trx);
          modules.set(`${setId}|${r.module}`, moduleId);
          result.modulesCreated++;
        }
        if (!moduleId) {
          errors.push({ row: r.row, ...(r.line !== undefined ? { line: r.line } : {}), field: 'module', message: `set "${r.set}" has no module "${r.module}"; create it first or import with createTopology: true` });
          continue;
        }
        moduleOf.set(r.row, moduleId);
      }
      if (errors.length > 0) throw new ImportRejectedError(errors);
      const ids = await this.hosts.idsByIdentity(projectId, rows, trx);
      for (const r of rows) {
        let hostId = ids.get(`${r.cloudArea}|${r.ip}`);
        if (hostId) {
          if (r.hostname !== null) await this.hosts.setHostname(projectId, hostId, r.hostname, now, trx);
          result.updated++;
        } else {
          hostId = newId();
          await this.hosts.insertAgentless({ id: hostId, projectId, cloudArea: r.cloudArea, ip: r.ip, hostname: r.hostname ?? r.ip, at: now }, newId(), trx);
          result.created++;
        }
        const moduleId = moduleOf.get(r.row);
        if (moduleId) await this.hosts.place(projectId, [hostId], moduleId, now, trx);
        if (r.labels) await this.hosts.replaceLabels(projectId, hostId, r.labels, trx);
      }
    });
    return result;
  }

  // ------------------------------------------------------------------ dynamic groups

  listGroups(projectId: string): Promise<DynamicGroup[]> {
    return this.groups.list(projectId);
  }

  async group(projectId: string, name: string): Promise<DynamicGroup> {
    const g = await this.groups.byName(projectId, name);
    if (!g) throw new NotFoundError('dynamic group', name);
    return g;
  }

  /** @throws ValidationError (bad selector), ConflictError `group_exists` */
  async createGroup(projectId: string, input: { name: string; description?: string | null; query: GroupQuery }, by: string): Promise<DynamicGroup> {
    toHostQuery(input.query, 'body.query.selector');
    const now = Date.now();
    const g: DynamicGroup = {
      id: newId(), projectId, name: input.name, description: input.description ?? null, query: normalise(input.query),
      createdBy: by, createdAt: now, updatedBy: by, updatedAt: now,
    };
    await unique(() => this.groups.insert(g), `a dynamic group named ${input.name} exists already`, 'group_exists');
    return g;
  }

  async updateGroup(projectId: string, name: string, patch: { description?: string | null; query?: GroupQuery }, by: string): Promise<DynamicGroup> {
    if (patch.query) toHostQuery(patch.query, 'body.query.selector');
    const ok = await this.groups.update(projectId, name, { ...patch, ...(patch.query ? { query: normalise(patch.query) } : {}) }, by, Date.now());
    if (!ok) throw new NotFoundError('dynamic group', name);
    return this.group(projectId, name);
  }

  async deleteGroup(projectId: string, name: string): Promise<void> {
    if (!(await this.groups.delete(projectId, name))) throw new NotFoundError('dynamic group', name);
  }

  // ------------------------------------------------------------------ targets

  /**
   * Host ids a job targets, resolved now: the union of the hosts in the topology nodes, of the
   * dynamic groups, and of the hosts matching the labels (bk-job unites its target kinds the same
   * way). An empty spec resolves to no hosts.
   * @throws NotFoundError for an unknown group, ValidationError for a bad selector
   */
  async resolveTargets(projectId: string, spec: TargetSpec): Promise<string[]> {
    const ids = new Set<string>();
    const add = (hosts: CmdbHost[]) => { for (const h of hosts) ids.add(h.id); };
    if (spec.topology && spec.topology.length > 0) add(await this.findHosts(projectId, { topology: spec.topology }));
    const groups = spec.group === undefined ? [] : Array.isArray(spec.group) ? spec.group : [spec.group];
    for (const g of groups) add(await this.groupHosts(projectId, g));
    if (spec.labels !== undefined) {
      const selector = typeof spec.labels === 'string' ? parseSelector(spec.labels, 'labels') : equalityRequirements(spec.labels);
      if (selector.length > 0) add(await this.findHosts(projectId, { selector }));
    }
    return [...ids];
  }

  async #requireHosts(projectId: string, hostIds: string[]): Promise<void> {
    const known = await this.hosts.existing(projectId, [...new Set(hostIds)]);
    const missing = hostIds.find((id) => !known.has(id));
    if (missing) throw new NotFoundError('host', missing);
  }
}

/**
 * Parses a selector, reporting a bad one as a ValidationError at `path`.
 * @throws ValidationError
 */
export function parseSelector(text: string, path: string): LabelRequirement[] {
  try {
    return parseLabelSelector(text);
  } catch (err) {
    if (err instanceof LabelSelectorError) throw selectorError(path, err.message);
    throw err;
  }
}

/** A saved group query as a host query (the selector parsed). */
export function toHostQuery(q: GroupQuery, selectorPath: string): HostQuery {
  return {
    ...(q.topology ? { topology: q.topology } : {}),
    ...(q.selector ? { selector: parseSelector(q.selector, selectorPath) } : {}),
    ...(q.cloudArea !== undefined ? { cloudArea: q.cloudArea } : {}),
    ...(q.ips ? { ips: q.ips } : {}),
  };
}

function normalise(q: GroupQuery): GroupQuery {
  const topology: TopologyNode[] | undefined = q.topology?.map((n) => ({ ...(n.set !== undefined ? { set: n.set } : {}), ...(n.module !== undefined ? { module: n.module } : {}) }));
  return {
    ...(topology ? { topology } : {}), ...(q.selector?.trim() ? { selector: q.selector.trim() } : {}),
    ...(q.cloudArea !== undefined ? { cloudArea: q.cloudArea } : {}), ...(q.ips ? { ips: q.ips } : {}),
  };
}

async function unique<T>(fn: () => Promise<T>, message: string, code: string): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (isUniqueViolation(err)) throw new ConflictError(message, code);
    throw err;
  }
}
