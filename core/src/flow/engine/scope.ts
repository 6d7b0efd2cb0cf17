import type { FlowGraph, JsonValue } from '../../model/index.js';
import type { SystemTask } from './root-task.js';

/** What `${_system.*}` holds (bk-sops' system variables); in a subflow, `task` is the root task. */
export function systemVariables(task: SystemTask, project: { id: string; key: string; name: string }, publicUrl: string): Record<string, JsonValue> {
  return {
    task_id: task.id,
    task_name: task.name,
    operator: task.createdBy,
    executor: task.createdBy,
    project_id: project.id,
    project_key: project.key,
    project_name: project.name,
    task_start_time: task.startedAt ? new Date(task.startedAt).toISOString() : null,
    task_url: `${publicUrl}/#/projects/${project.key}/tasks/${task.id}`,
  };
}

/** The names an expression can read: task variables, `_system`, and project constants as `_env_KEY`. */
export function expressionScope(vars: Record<string, JsonValue>, system: Record<string, JsonValue>, constants: Record<string, string>): Record<string, unknown> {
  const scope: Record<string, unknown> = { ...vars, _system: system };
  for (const [k, v] of Object.entries(constants)) scope[`_env_${k}`] = v;
  return scope;
}

const declaredByGraph = new WeakMap<FlowGraph, ReadonlySet<string>>();

/**
 * The names a task's graph declares: its variables and the variables node outputs are mapped
 * into. One of them missing from the scope has no value yet; it is not an unknown name.
 */
export function declaredNames(graph: FlowGraph): ReadonlySet<string> {
  let names = declaredByGraph.get(graph);
  if (!names) {
    const set = new Set(Object.keys(graph.variables ?? {}));
    for (const node of graph.nodes) {
      if ((node.type === 'task' || node.type === 'subflow') && node.outputs) for (const target of Object.values(node.outputs)) set.add(target);
    }
    names = set;
    declaredByGraph.set(graph, names);
  }
  return names;
}
