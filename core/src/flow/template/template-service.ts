import semver from 'semver';
import { NotFoundError, ValidationError } from '../../errors.js';
import { newId } from '../../store/ids.js';
import { checkSubflowContract, constantsRead, PROJECT_CONSTANT_PREFIX, validateGraph, type FlowGraph, type GraphError, type TaskNode } from '../../model/index.js';
import { InvalidFlowError, TemplateInUseError, type TemplateUser } from '../errors.js';
import type { PluginGateway } from '../plugin-catalog.js';
import { expressionSyntaxErrors, type SyntaxChecker } from './expression-syntax.js';
import { inputSchemaErrors } from './input-schema-check.js';
import type { Template, TemplateStore, TemplateVersion } from './template-store.js';

/** The export document of a template: self-describing so imports can refuse foreign formats. */
export interface TemplateExport {
  format: 'opsloom.flow/v1';
  name: string;
  description: string | null;
  graph: FlowGraph;
  exportedAt: string;
  source: { templateId: string; version: number };
}

/** Templates: validated on every save, versioned immutably, exported and imported as JSON. */
export class TemplateService {
  /**
   * @param constantKeys the keys of a project's constants, read fresh: templates may read only those as `${_env_KEY}`
   * @param syntax compiles the graph's expressions (the expression sandbox), so a syntax error is refused at save, not met at run time
   */
  constructor(
    private readonly store: TemplateStore,
    private readonly plugins: PluginGateway,
    private readonly constantKeys: (projectId: string) => Promise<string[]>,
    private readonly syntax: SyntaxChecker,
  ) {}

  /** Every problem of a graph in a project: structure, plugins, variables, expression syntax and subflow references. */
  async check(projectId: string, graph: unknown): Promise<GraphError[]> {
    // The graph is unchecked here: its plugin and subflow references are looked up only where it has
    // the outline of a graph (a node array, string ids), and the validator reports the rest.
    const nodes = nodesOf(graph);
    const plugins = new Map<string, boolean>();
    const wanted = collectPlugins(nodes);
    await Promise.all(wanted.map(async ([name, range]) => plugins.set(`${name}@${range}`, (await this.plugins.resolve(name, range)) !== undefined)));
    const knownConstants = await this.constantKeys(projectId);
    const result = validateGraph(graph, { resolvePlugin: (n, v) => plugins.get(`${n}@${v}`), knownConstants });
    const errors = [...result.errors];
    errors.push(...await expressionSyntaxErrors(graph, result.errors, this.syntax));
    errors.push(...await inputSchemaErrors(nodes, this.plugins, result.errors));
    for (const node of nodes) {
      if (node?.type !== 'subflow') continue;
      const version = Number(node.template?.version);
      const ref = typeof node.template?.id === 'string' && node.template.id ? await this.store.get(projectId, node.template.id) : undefined;
      const child = ref && Number.isInteger(version) ? await this.store.version(ref.id, version) : undefined;
      if (!child) {
        errors.push({ nodeId: node.id, rule: 'unknown_subflow', message: `subflow template ${node.template?.id} version ${node.template?.version} does not exist in this project` });
      } else {
        errors.push(...checkSubflowContract(node, child.graph));
      }
    }
    return errors;
  }

  /** What a task node's inputs break of its plugin's inputs schema, as far as known before the run (rule `invalid_input`). */
  inputErrors(node: TaskNode): Promise<GraphError[]> {
    return inputSchemaErrors([node], this.plugins, []);
  }

  async create(projectId: string, by: string, input: { name: string; description?: string | null; graph: FlowGraph; comment?: string | null }): Promise<Template> {
    await this.assertValid(projectId, input.graph);
    const now = Date.now();
    const t: Template = { id: newId(), projectId, name: input.name, description: input.description ?? null, latestVersion: 1, createdBy: by, updatedBy: by, createdAt: now, updatedAt: now };
    await this.store.create(t, { ...withDefaults(input.graph), id: t.id }, input.comment ?? null);
    return t;
  }

  /**
   * Saves the next version. `baseVersion`, the version the editor started from, makes the save
   * refuse (409 template_changed) when another version was saved since, instead of discarding it.
   */
  async save(projectId: string, id: string, by: string, input: { graph: FlowGraph; name?: string; description?: string | null; comment?: string | null; baseVersion?: number }): Promise<Template> {
    await this.get(projectId, id);
    await this.assertValid(projectId, input.graph);
    return this.store.addVersion(id, { ...withDefaults(input.graph), id }, {
      by, comment: input.comment ?? null, ...(input.name !== undefined ? { name: input.name } : {}), ...(input.description !== undefined ? { description: input.description } : {}),
      ...(input.baseVersion !== undefined ? { baseVersion: input.baseVersion } : {}),
    });
  }

  async get(projectId: string, id: string): Promise<Template> {
    const t = await this.store.get(projectId, id);
    if (!t) throw new NotFoundError('template', id);
    return t;
  }

  async version(projectId: string, id: string, version?: number): Promise<TemplateVersion & { template: Template }> {
    const template = await this.get(projectId, id);
    const v = await this.store.version(id, version ?? template.latestVersion);
    if (!v) throw new NotFoundError('template version', `${id}@${version}`);
    return { ...v, template };
  }

  list(projectId: string, q: { search?: string; limit: number; offset: number }): Promise<Template[]> {
    return this.store.list(projectId, q);
  }

  async versions(projectId: string, id: string) {
    await this.get(projectId, id);
    return this.store.versions(id);
  }

  /**
   * Task nodes whose plugin has a newer online version than the one their version range picks
   * today (or, when the range picks none, than the range itself names).
   */
  async upgrades(projectId: string, id: string, version?: number): Promise<{ nodeId: string; plugin: string; current: string; resolved: string | null; latest: string }[]> {
    const v = await this.version(projectId, id, version);
    const out = [];
    for (const node of v.graph.nodes) {
      if (node.type !== 'task') continue;
      const latest = await this.plugins.latest(node.plugin.name);
      if (!latest) continue;
      const resolved = (await this.plugins.resolve(node.plugin.name, node.plugin.version)) ?? null;
      const floor = resolved ?? semver.minVersion(node.plugin.version)?.version ?? null;
      if (floor && semver.gt(latest, floor)) out.push({ nodeId: node.id, plugin: node.plugin.name, current: node.plugin.version, resolved, latest });
    }
    return out;
  }

  /** Saves a new version in which the chosen nodes run the newest online version of their plugin. */
  async upgrade(projectId: string, id: string, by: string, nodeIds: string[]): Promise<Template> {
    const v = await this.version(projectId, id);
    const available = new Map((await this.upgrades(projectId, id)).map((u) => [u.nodeId, u.latest]));
    const byId = new Map(v.graph.nodes.map((n) => [n.id, n]));
    const said = (ids: string[], what: string, many: string) => (ids.length ? [`${ids.join(', ')} ${ids.length > 1 ? many : what}`] : []);
    const notNodes = nodeIds.filter((n) => !byId.has(n));
    const notTasks = nodeIds.filter((n) => byId.has(n) && byId.get(n)!.type !== 'task');
    const current = nodeIds.filter((n) => byId.get(n)?.type === 'task' && !available.has(n));
    const problems = [
      ...said(notNodes, `is not a node of version ${v.version}`, `are not nodes of version ${v.version}`),
      ...said(notTasks, 'is not a task node: only task nodes run plugins', 'are not task nodes: only task nodes run plugins'),
      ...said(current, 'has no newer online plugin version', 'have no newer online plugin version'),
    ];
    if (problems.length) throw new ValidationError(`body.nodes: ${problems.join('; ')}`);
    const graph: FlowGraph = { ...v.graph, nodes: v.graph.nodes.map((n) => (n.type === 'task' && available.has(n.id) && nodeIds.includes(n.id) ? { ...n, plugin: { ...n.plugin, version: available.get(n.id)! } } : n)) };
    const chosen = [...new Set(nodeIds)];
    const comment = `upgraded ${chosen.length} node${chosen.length > 1 ? 's' : ''}: ${chosen.map((n) => `${n} → ${available.get(n)}`).join(', ')}`;
    // Based on the version just read: a save that slipped in between is not overwritten by the upgrade.
    return this.save(projectId, id, by, { graph, comment: fitComment(comment), baseVersion: v.version });
  }

  /** The templates whose latest version reads the project constant `key` (`${_env_KEY}`), by name. */
  async constantReaders(projectId: string, key: string): Promise<{ templateId: string; name: string }[]> {
    // The text search only narrows the candidates (it also finds the name in a literal input or a
    // longer key); parsing the graph decides.
    const candidates = await this.store.latestMentioning(projectId, `${PROJECT_CONSTANT_PREFIX}${key}`);
    return candidates.filter((c) => constantsRead(c.graph).includes(key)).map((c) => ({ templateId: c.id, name: c.name }));
  }

  /**
   * Deletes a template; tasks keep their snapshot. One that periodic tasks run or other templates'
   * latest versions call as a subflow is refused (TemplateInUseError) unless `force` is set.
   */
  async delete(projectId: string, id: string, opts: { force?: boolean } = {}): Promise<void> {
    await this.get(projectId, id);
    if (!opts.force) {
      const [periodicTasks, parentTemplates] = await Promise.all([this.#periodicUsers(projectId, id), this.subflowParents(projectId, id)]);
      if (periodicTasks.length || parentTemplates.length) throw new TemplateInUseError(id, periodicTasks, parentTemplates);
    }
    await this.store.softDelete(id);
  }

  /** The templates whose latest version calls template `id` as a subflow (any version of it), by name. */
  async subflowParents(projectId: string, id: string): Promise<TemplateUser[]> {
    // The text search only narrows the candidates; the subflow nodes decide.
    const candidates = await this.store.latestMentioning(projectId, id);
    return candidates.filter((c) => c.id !== id && c.graph.nodes.some((n) => n.type === 'subflow' && n.template?.id === id)).map((c) => ({ id: c.id, name: c.name }));
  }

  #periodicUsers: (projectId: string, templateId: string) => Promise<TemplateUser[]> = async () => [];

  /**
   * Tells the service which periodic tasks run a template, so deleting one in use is refused. The
   * cron domain registers it (it is built after flow and reads its own table).
   */
  usedByPeriodicTasks(lookup: (projectId: string, templateId: string) => Promise<TemplateUser[]>): void {
    this.#periodicUsers = lookup;
  }

  async export(projectId: string, id: string, version?: number): Promise<TemplateExport> {
    const v = await this.version(projectId, id, version);
    const { id: _omit, ...graph } = v.graph;
    return { format: 'opsloom.flow/v1', name: v.template.name, description: v.template.description, graph: graph as FlowGraph, exportedAt: new Date().toISOString(), source: { templateId: id, version: v.version } };
  }

  async import(projectId: string, by: string, doc: { format: string; name: string; description?: string | null; graph: FlowGraph }, rename?: string): Promise<Template> {
    if (doc.format !== 'opsloom.flow/v1') throw new ValidationError(`body.format: unsupported export format "${doc.format}" (expected opsloom.flow/v1)`);
    return this.create(projectId, by, { name: rename ?? doc.name, description: doc.description ?? null, graph: doc.graph, comment: 'imported' });
  }

  private async assertValid(projectId: string, graph: unknown): Promise<void> {
    const errors = await this.check(projectId, graph);
    if (errors.length > 0) throw new InvalidFlowError(errors);
  }
}

/** The longest version comment: the width of its column, and what the routes accept. */
const COMMENT_LIMIT = 500;

/** `comment` cut to {@link COMMENT_LIMIT} characters (code points, as the column counts them). */
function fitComment(comment: string): string {
  const chars = Array.from(comment);
  return chars.length <= COMMENT_LIMIT ? comment : `${chars.slice(0, COMMENT_LIMIT - 1).join('')}…`;
}

/** A valid graph as stored: the optional `variables` and `outputs` present, so readers need not guess. */
function withDefaults(graph: FlowGraph): FlowGraph {
  return { ...graph, variables: graph.variables ?? {}, outputs: graph.outputs ?? [] };
}

/** The nodes of a graph received from outside, or none when it has no node array. */
function nodesOf(graph: unknown): FlowGraph['nodes'] {
  const nodes = (graph as Partial<FlowGraph> | null)?.nodes;
  return Array.isArray(nodes) ? nodes : [];
}

/** `[name, range]` of every task node, deduplicated. */
function collectPlugins(nodes: FlowGraph['nodes']): [string, string][] {
  const out = new Map<string, [string, string]>();
  for (const n of nodes) {
    if (n?.type === 'task' && typeof n.plugin?.name === 'string' && typeof n.plugin?.version === 'string') out.set(`${n.plugin.name}@${n.plugin.version}`, [n.plugin.name, n.plugin.version]);
  }
  return [...out.values()];
}
