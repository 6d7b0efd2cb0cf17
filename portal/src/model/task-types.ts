/**
 * The task shapes of the flow REST API (`/api/v1/projects/:projectId/tasks`), as the portal reads them.
 */
import type { FlowGraph, JsonValue } from '@opsloom/core/model';

/** States of a task. */
export type TaskState = 'created' | 'running' | 'paused' | 'failed' | 'finished' | 'revoked';

/** States of a node inside a task. */
export type NodeState = 'pending' | 'ready' | 'running' | 'waiting' | 'suspended' | 'finished' | 'failed' | 'skipped' | 'revoked';

/** A node's run state within a task. */
export interface TaskNodeRun {
  state: NodeState;
  version?: number | string;
  loop?: number;
  retries?: number;
  startedAt?: string | null;
  finishedAt?: string | null;
  error?: string | null;
  errorIgnored?: boolean;
  skipped?: boolean;
  breakpoint?: boolean;
}

/** `GET /tasks/:taskId`. */
export interface Task {
  id: string;
  name: string;
  state: TaskState;
  templateId: string;
  templateVersion: number;
  graph: FlowGraph;
  variables: Record<string, JsonValue>;
  createdAt: string;
  startedAt?: string | null;
  finishedAt?: string | null;
  nodes: Record<string, TaskNodeRun>;
}

/** `GET /tasks/:taskId/nodes/:nodeId`. */
export interface NodeDetail extends TaskNodeRun {
  id?: string;
  inputs?: Record<string, JsonValue>;
  outputs?: Record<string, JsonValue>;
  history?: Record<string, JsonValue>[];
  logs?: { at: string; level: string; message: string }[];
}

/** One Server-Sent Event of `GET /tasks/:taskId/events`. */
export interface TaskEvent {
  type: 'task' | 'node';
  taskId: string;
  nodeId?: string;
  state: string;
  version?: number | string;
  at: string;
}

/** True once a task can change no more. */
export function isTaskOver(state: TaskState): boolean {
  return state === 'finished' || state === 'revoked';
}

/**
 * Folds a live event into the task, returning a new task object (or the same one when the event
 * is stale: a node event older than the version already shown).
 */
export function applyTaskEvent(task: Task, event: TaskEvent): Task {
  if (event.taskId !== task.id) return task;
  if (event.type === 'task') return { ...task, state: event.state as TaskState };
  if (!event.nodeId) return task;
  const prior = task.nodes[event.nodeId];
  if (prior?.version !== undefined && event.version !== undefined && Number(event.version) < Number(prior.version)) return task;
  const state = event.state as NodeState;
  const next: TaskNodeRun = { ...(prior ?? { state }), state };
  if (event.version !== undefined) next.version = event.version;
  if (state === 'running' && !next.startedAt) next.startedAt = event.at;
  if (['finished', 'failed', 'skipped', 'revoked'].includes(state)) next.finishedAt = event.at;
  return { ...task, nodes: { ...task.nodes, [event.nodeId]: next } };
}
