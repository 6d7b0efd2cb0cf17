import { newId } from '../../store/ids.js';
import type { SqlRunner } from '../../store/direct-sql.js';
import { ACTIVE_NODE_STATES, type Task } from '../task/task-types.js';
import type { Effects, FlowEngine } from './engine.js';
import { abandon, lockedWaitingWork } from './abandoned-work.js';

/** How the error of a child task closed by its subflow node begins. */
const CLOSED = 'closed: ';

/**
 * Revokes one task's row and its active nodes (their in-flight calls are stopped by the caller,
 * after the commit; the remote work of those waiting on a poll or a callback, by their plugins'
 * `cancel` after it too). False, with nothing written, when the task is past revoking.
 */
export async function revokeTaskRows(engine: FlowEngine, tx: SqlRunner, fx: Effects, taskId: string, error?: string): Promise<boolean> {
  const { store } = engine.deps;
  if (!(await store.casTask(taskId, ['created', 'running', 'paused', 'failed'], { state: 'revoked', finishedAt: Date.now(), ...(error ? { error } : {}) }, tx))) return false;
  for (const n of await store.nodes(taskId, tx)) {
    if (!ACTIVE_NODE_STATES.includes(n.state)) continue;
    // A call that was running may have ended in a wait since the read above: the locked row tells.
    if (n.state === 'running' || n.state === 'waiting') abandon(fx, await lockedWaitingWork(engine, tx, taskId, n.nodeId, n.version, `its task was revoked${error ? ` (${error})` : ''}`));
    await store.patchNode(taskId, n.nodeId, { state: 'revoked', version: newId(), finishedAt: Date.now(), leaseUntil: null, deadlineAt: null, wakeAt: null }, tx);
    engine.nodeEvent(fx, taskId, n.nodeId, 'revoked');
  }
  engine.taskEvent(fx, taskId, 'revoked', error);
  return true;
}

/**
 * Closes the child task of a subflow node that moves on from it (an auto-retry launches a new
 * child, the failure is ignored or skipped, an operator retries, skips or force-fails the node):
 * the child is revoked in the same transaction, so an operator can no longer revive it to run on
 * alone beside the node's next child, and its error says why. The tasks below it and its running
 * calls are revoked once the transaction commits (`fx.closedChildren`).
 *
 * Lock order: the caller locks the child's task row (see {@link lockChild}) before it writes the
 * parent's node, as an operation inside the child does (its task, then the parent's node), so the
 * two wait for each other instead of deadlocking.
 */
export async function closeChild(engine: FlowEngine, tx: SqlRunner, fx: Effects, parent: Task, nodeId: string, childId: string | null, why: string): Promise<void> {
  if (!childId) return;
  if (await revokeTaskRows(engine, tx, fx, childId, `${CLOSED}subflow node ${nodeId} of task ${parent.id} moved on from this task (${why})`)) {
    (fx.closedChildren ??= []).push(childId);
  }
}

/** Locks a subflow node's child task row ahead of the parent's node (see {@link closeChild}). */
export async function lockChild(engine: FlowEngine, tx: SqlRunner, childId: string | null): Promise<void> {
  if (childId) await engine.deps.store.lockedTaskState(childId, tx);
}

/**
 * Why a revoked `task` cannot be operated because its subflow node moved on from it (its error,
 * written by {@link closeChild}), or undefined when that is not the reason: it is no subflow's
 * child, or its node still holds it (the node failed with it, or was revoked with its task).
 */
export async function closedReason(engine: FlowEngine, task: Task, tx?: SqlRunner): Promise<string | undefined> {
  if (!task.parentTaskId || !task.parentNodeId) return undefined;
  const { store } = engine.deps;
  const error = (await store.task(task.id, tx))?.error ?? null;
  // Closed by its node (a force-fail leaves the node failed and still naming this child): said so.
  if (error?.startsWith(CLOSED)) return error;
  const row = await store.node(task.parentTaskId, task.parentNodeId, tx);
  if (row && row.childTaskId === task.id && ['failed', 'waiting', 'revoked'].includes(row.state)) return undefined;
  return error ?? `${CLOSED}subflow node ${task.parentNodeId} of task ${task.parentTaskId} moved on from this task`;
}
