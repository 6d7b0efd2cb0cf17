import type { SqlRunner } from '../../store/direct-sql.js';
import { ValidationError } from '../../errors.js';
import { newId } from '../../store/ids.js';
import { excludeOptionalNodes, validateGraph, variableValueProblem, type FlowGraph, type FlowNode, type JsonValue } from '../../model/index.js';
import { InvalidFlowError } from '../errors.js';
import type { PluginGateway } from '../plugin-catalog.js';
import type { TemplateStore } from '../template/template-store.js';
import type { PreparedChild, SubflowLauncher } from '../engine/engine.js';
import type { TaskStore } from './task-store.js';
import type { Task } from './task-types.js';

export interface TaskSpec {
  projectId: string;
  templateId: string | null;
  templateVersion: number | null;
  graph: FlowGraph;
  name: string;
  variables: Record<string, JsonValue>;
  excludeNodes: string[];
  createdBy: string;
  createMethod: string;
  parent?: { taskId: string; nodeId: string };
  /** The id to create the task under, reserved beforehand (a periodic slot's task); a new one otherwise. */
  id?: string;
}

/**
 * Turns a template version and the caller's choices into a task snapshot: optional nodes
 * excluded and the graph rewired, plugin ranges pinned to exact runnable versions, variable
 * values checked against their definitions. Also launches subflows' child tasks.
 */
export class TaskFactory implements SubflowLauncher {
  constructor(private readonly store: TaskStore, private readonly templates: TemplateStore, private readonly plugins: PluginGateway) {}

  async build(spec: TaskSpec): Promise<{ task: Task; vars: Record<string, JsonValue> }> {
    let graph = this.taskGraph(spec.graph, spec.excludeNodes);
    // One resolution per plugin and range, however many nodes use it (a 10,000-node flow may use one plugin).
    const pins = new Map<string, Promise<string>>();
    graph = { ...graph, nodes: await Promise.all(graph.nodes.map((n) => this.pin(n, pins))) };
    const vars = this.values(graph, spec.variables, Boolean(spec.parent));
    const task: Task = {
      id: spec.id ?? newId(), projectId: spec.projectId, templateId: spec.templateId, templateVersion: spec.templateVersion, name: spec.name, state: 'created',
      graph, variables: spec.variables, parentTaskId: spec.parent?.taskId ?? null, parentNodeId: spec.parent?.nodeId ?? null,
      createMethod: spec.createMethod, createdBy: spec.createdBy, createdAt: Date.now(), startedAt: null, finishedAt: null, error: null,
    };
    return { task, vars };
  }

  /**
   * Checks the choices a task would be created with (exclusions and variable values) without
   * creating it or pinning plugins: a periodic task is checked when it is saved, not first when
   * a slot fires. Throws what {@link build} would.
   */
  check(graph: FlowGraph, variables: Record<string, JsonValue>, excludeNodes: string[]): void {
    this.values(this.taskGraph(graph, excludeNodes), variables, false);
  }

  /** The graph with the excluded nodes left out, validated. */
  private taskGraph(graph: FlowGraph, excludeNodes: string[]): FlowGraph {
    const out = excludeNodes.length > 0 ? excludeOptionalNodes(graph, excludeNodes) : graph;
    // A stored version: checks added since it was saved must not stop its tasks.
    const check = validateGraph(out, { savedVersion: true });
    if (!check.ok) throw new InvalidFlowError(check.errors);
    return out;
  }

  /** Builds a subflow's child task: only the params the child shows go in. */
  async prepare(parent: Task, node: FlowNode, params: Record<string, JsonValue>): Promise<PreparedChild> {
    if (node.type !== 'subflow') throw new Error(`${node.id} is not a subflow node`);
    const version = await this.templates.version(node.template.id, Number(node.template.version));
    if (!version) throw new ValidationError(`subflow ${node.id}: template ${node.template.id} version ${node.template.version} no longer exists`);
    return this.build({
      projectId: parent.projectId, templateId: node.template.id, templateVersion: version.version, graph: version.graph,
      name: childName(parent.name, node.name ?? node.id), variables: params, excludeNodes: [], createdBy: parent.createdBy,
      createMethod: 'subflow', parent: { taskId: parent.id, nodeId: node.id },
    });
  }

  /** Stores a prepared child task, running, with its start node ready, in the parent's transaction. */
  async insert(tx: SqlRunner, { task, vars }: PreparedChild) {
    const now = Date.now();
    await this.store.insert({ ...task, state: 'running', startedAt: now }, vars, tx);
    await this.store.casTask(task.id, ['running'], { state: 'running', startedAt: now }, tx);
    const start = task.graph.nodes.find((n) => n.type === 'start')!;
    const startVersion = newId();
    await this.store.patchNode(task.id, start.id, { state: 'ready', version: startVersion }, tx);
    return { childId: task.id, startVersion, startNode: start.id };
  }

  private async pin(node: FlowNode, pins: Map<string, Promise<string>>): Promise<FlowNode> {
    if (node.type !== 'task') return node;
    const { name, version: range } = node.plugin;
    let pinned = pins.get(`${name}@${range}`);
    if (!pinned) {
      pinned = (async () => {
        const exact = await this.plugins.resolve(name, range);
        if (!exact) throw new ValidationError(`node ${node.id}: no runnable version of plugin ${name} matches ${range}`);
        await this.plugins.assertRunnable({ name, version: exact });
        return exact;
      })();
      pins.set(`${name}@${range}`, pinned);
    }
    return { ...node, plugin: { name, version: await pinned } };
  }

  /** Variable values: given ones checked against their definitions, the rest from defaults. */
  private values(graph: FlowGraph, given: Record<string, JsonValue>, asSubflow: boolean): Record<string, JsonValue> {
    const defs = graph.variables ?? {};
    const errors: { path: string; message: string }[] = [];
    // Own keys only: `in` would find `constructor` or `toString` on Object.prototype, taking an
    // undeclared one as declared and an unset declared one as given (a function, "not text").
    for (const key of Object.keys(given)) {
      if (!Object.hasOwn(defs, key)) errors.push({ path: `variables.${key}`, message: `the flow has no variable ${key}` });
      else if (asSubflow && !defs[key]!.show) errors.push({ path: `variables.${key}`, message: `${key} is not a shown variable, so a subflow cannot receive it` });
    }
    const out: Record<string, JsonValue> = {};
    for (const [key, def] of Object.entries(defs)) {
      const value = Object.hasOwn(given, key) ? given[key]! : def.value;
      if (value === undefined || value === null || value === '') {
        if (def.required) errors.push({ path: `variables.${key}`, message: `${def.name ?? key} is required` });
        if (value !== undefined) out[key] = value;
        continue;
      }
      const problem = variableValueProblem(def, value);
      if (problem) errors.push({ path: `variables.${key}`, message: `${def.name ?? key}: ${problem}` });
      out[key] = value;
    }
    if (errors.length > 0) throw new ValidationError(`${errors[0]!.path}: ${errors[0]!.message}${errors.length > 1 ? ` (and ${errors.length - 1} more)` : ''}`, errors);
    return out;
  }
}

/** Characters a task's name column holds. */
const TASK_NAME_CHARS = 200;

/**
 * A subflow's child task name, `<parent> / <node>`, cut to fit its column: names grow a level with
 * each nested subflow and node names have no limit of their own, and on MySQL a name too long
 * failed the child's insert every time, leaving the subflow node ready for ever.
 */
function childName(parent: string, node: string): string {
  const label = node.length > TASK_NAME_CHARS / 2 ? `${node.slice(0, TASK_NAME_CHARS / 2 - 1)}…` : node;
  const room = TASK_NAME_CHARS - label.length - 3;
  return `${parent.length > room ? `${parent.slice(0, room - 1)}…` : parent} / ${label}`;
}
