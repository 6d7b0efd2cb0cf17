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
  /** Attempts of the current run; a ready node with some behind it waits out its retry interval. */
  attempts?: number;
  startedAt?: string | null;
  finishedAt?: string | null;
  error?: string | null;
  errorIgnored?: boolean;
  skipped?: boolean;
  breakpoint?: boolean;
  /** What a waiting node waits for: `callback`, `poll` or `subflow` (null unless waiting). */
  waiting?: string | null;
  /** The task a subflow node launched, once it has. */
  childTaskId?: string | null;
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

/** `GET /tasks/:taskId/variables`: every variable as it is now, and the flow's results (passwords masked). */
export interface TaskVariables {
  variables: Record<string, JsonValue>;
  outputs: Record<string, JsonValue>;
}

/** `GET /tasks/:taskId/nodes/:nodeId`. */
export interface NodeDetail extends TaskNodeRun {
  id?: string;
  inputs?: Record<string, JsonValue>;
  /** The node's inputs as an earlier retry replaced them (unrendered); null when no retry did. */
  inputOverride?: Record<string, JsonValue> | null;
  outputs?: Record<string, JsonValue>;
  history?: Record<string, JsonValue>[];
  /** The node's newest log lines; `earlierLogs` when there are earlier ones (see `nodeLogs`). */
  logs?: LogLine[];
  earlierLogs?: boolean;
}

/** A line a plugin logged; `seq` orders a node's lines and pages through them. */
export interface LogLine {
  seq: number;
  at: string;
  level: string;
  message: string;
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

/** The first event of the stream: the task's and every node's state (`event: snapshot`). */
export interface TaskSnapshot {
  taskId: string;
  state: string;
  nodes: Record<string, { state: string; version?: string; error?: string | null }>;
}

/** A snapshot as the task event followed by one node event per node. */
export function snapshotEvents(s: TaskSnapshot): TaskEvent[] {
  const at = new Date().toISOString();
  return [
    { type: 'task', taskId: s.taskId, state: s.state, at },
    ...Object.entries(s.nodes ?? {}).map(([nodeId, n]): TaskEvent => ({ type: 'node', taskId: s.taskId, nodeId, state: n.state, at, ...(n.version !== undefined ? { version: n.version } : {}) })),
  ];
}

/**
 * Orders two node version tokens: numbers numerically, core's time-sortable ids as text.
 * Negative when `a` is older.
 */
export function compareVersions(a: number | string, b: number | string): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const sa = String(a);
  const sb = String(b);
  if (/^\d+$/.test(sa) && /^\d+$/.test(sb)) return Number(sa) - Number(sb);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
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
  if (prior?.version !== undefined && event.version !== undefined && compareVersions(event.version, prior.version) < 0) return task;
  // A snapshot repeats what is shown: keep the object (and its timings) when nothing changed.
  if (prior && prior.state === event.state && (event.version === undefined || event.version === prior.version)) return task;
  const state = event.state as NodeState;
  const next: TaskNodeRun = { ...(prior ?? { state }), state };
  if (event.version !== undefined) next.version = event.version;
  if (state === 'running' && !next.startedAt) next.startedAt = event.at;
  if (['finished', 'failed', 'skipped', 'revoked'].includes(state)) next.finishedAt = event.at;
  return { ...task, nodes: { ...task.nodes, [event.nodeId]: next } };
}
