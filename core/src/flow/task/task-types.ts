import type { FlowGraph, JsonValue } from '../../model/index.js';

/** A task's lifecycle. `failed` means a node failed and waits for an operator (retry, skip, revoke). */
export type TaskState = 'created' | 'running' | 'paused' | 'failed' | 'finished' | 'revoked';

/**
 * A node's state within a task. `pending`: not reached; `ready`: queued to run; `running`: its
 * step is executing; `waiting`: a plugin polls or waits for a callback, or a subflow runs;
 * `suspended`: stopped at a breakpoint; `skipped`: an operator or a fail-and-skip timeout passed it.
 */
export type NodeState = 'pending' | 'ready' | 'running' | 'waiting' | 'suspended' | 'finished' | 'failed' | 'skipped' | 'revoked';

export const ACTIVE_NODE_STATES: readonly NodeState[] = ['ready', 'running', 'waiting', 'suspended'];

export interface Task {
  id: string;
  projectId: string;
  templateId: string | null;
  templateVersion: number | null;
  name: string;
  state: TaskState;
  graph: FlowGraph;
  /** Variable values the task was created with (rendered values live in the task's vars). */
  variables: Record<string, JsonValue>;
  parentTaskId: string | null;
  parentNodeId: string | null;
  createMethod: string;
  createdBy: string;
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  error: string | null;
}

/** A task without its graph. */
export type TaskHeader = Omit<Task, 'graph'>;

/** One node's row: state, version token and bookkeeping (the big JSON columns are loaded on demand). */
export interface NodeRecord {
  taskId: string;
  nodeId: string;
  state: NodeState;
  /** Changes on every (re)entry, retry, skip and forced failure: stale messages and callbacks carry an old one. */
  version: string;
  loop: number;
  /** Manual retries. */
  retries: number;
  /** Attempts in the current run (auto-retries count here). */
  attempts: number;
  startedAt: number | null;
  finishedAt: number | null;
  updatedAt: number;
  error: string | null;
  errorIgnored: boolean;
  breakpoint: boolean;
  breakpointPassed: boolean;
  /** What a waiting node waits for: `poll`, `callback` or `subflow`. */
  waitKind: string | null;
  callbackMultiple: boolean;
  wakeAt: number | null;
  deadlineAt: number | null;
  leaseUntil: number | null;
  /** Tokens a joining converge gateway waits for in the current fork. */
  expected: number | null;
  childTaskId: string | null;
}

export interface NodeDetail extends NodeRecord {
  inputs: Record<string, JsonValue> | null;
  inputOverride: Record<string, JsonValue> | null;
  outputs: Record<string, JsonValue> | null;
  pluginState: JsonValue | null;
}

export interface NodeHistoryEntry {
  loop: number;
  retries: number;
  attempts: number;
  state: string;
  inputs: JsonValue | null;
  outputs: JsonValue | null;
  error: string | null;
  startedAt: number | null;
  finishedAt: number | null;
}

/** A line a plugin logged for a node; `seq` orders a node's lines and pages through them. */
export interface LogLine {
  seq: number;
  at: number;
  level: string;
  message: string;
}
