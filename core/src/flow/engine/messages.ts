/** The queue the engine's steps travel on. */
export const STEP_QUEUE = 'flow-steps';

/**
 * One wake-up of a node. Messages only wake workers: the node row is the truth, and `v` (the
 * node's version token) makes a replayed or stale message a no-op.
 * Kinds: `run` a ready node; `poll` a waiting plugin; `child` a subflow's child task ended.
 */
export interface StepMessage {
  t: string;
  n: string;
  v: string;
  k: 'run' | 'poll' | 'child';
  /** For polls and recoveries: when it is due, so successive wake-ups of one node version are distinct jobs. */
  w?: number;
}

/** A ready node that no worker claimed for this long is sent again by the sweeper (its message may be lost). */
export const READY_STALE_MS = 5_000;

/** The event channel of a task (SSE follows it). */
export const taskChannel = (taskId: string) => `task:${taskId}`;

/** Broadcast when running plugin calls of a task or node must stop (revoke, force-fail, timeout). */
export const ABORT_CHANNEL = 'flow:abort';

export interface TaskEvent {
  type: 'task' | 'node';
  taskId: string;
  nodeId?: string;
  state: string;
  version?: string;
  loop?: number;
  error?: string | null;
  at: string;
}
