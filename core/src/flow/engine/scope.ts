import type { JsonValue } from '../../model/index.js';
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
