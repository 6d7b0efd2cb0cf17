import type { JsonValue } from '../../model/index.js';
import type { SqlRunner } from '../../store/direct-sql.js';
import type { NodeDetail } from '../task/task-types.js';
import type { Effects, FlowEngine } from './engine.js';

/**
 * Remote work a plugin node started and the engine gave up on: the node waited on a poll or a
 * callback (no call in flight to abort) when its task was revoked, it was forced to fail or its
 * attempt timed out. Its plugin's `cancel` is asked to stop it once the transaction that moved the
 * node on commits. The state and inputs are read in that transaction: a retry resets them after.
 */
export interface AbandonedWork {
  taskId: string;
  nodeId: string;
  /** The attempt that started the work. */
  attempt: number;
  /** The plugin state the wait saved (`ctx.poll(state, …)` / `ctx.waitCallback(state)`). */
  state: JsonValue;
  inputs: Record<string, JsonValue>;
  /** Why the engine gave up, for the node's log. */
  why: string;
}

/**
 * The work `node` leaves behind if, at `version`, it waits on a poll or a callback. Read from a
 * locked row (see {@link lockedWaitingWork}): a running node has its call aborted instead.
 */
export function abandonedWork(node: NodeDetail, version: string, why: string): AbandonedWork | undefined {
  if (node.version !== version || node.state !== 'waiting' || (node.waitKind !== 'poll' && node.waitKind !== 'callback')) return undefined;
  return {
    taskId: node.taskId, nodeId: node.nodeId, attempt: node.attempts, state: node.pluginState ?? null,
    inputs: (node.inputs ?? {}) as Record<string, JsonValue>, why,
  };
}

/**
 * Locks the node's row until `tx` commits and returns the work it leaves behind (see
 * {@link abandonedWork}). The lock keeps a poll or callback from claiming the node between this
 * read and the caller's write, so a node that just began a call is not also told to cancel.
 */
export async function lockedWaitingWork(engine: FlowEngine, tx: SqlRunner, taskId: string, nodeId: string, version: string, why: string): Promise<AbandonedWork | undefined> {
  const node = await engine.deps.store.lockedNode(taskId, nodeId, tx);
  return node && abandonedWork(node, version, why);
}

/** Queues the work's cancel for after the commit (the caller's write moved the node on). */
export function abandon(fx: Effects, work: AbandonedWork | undefined): void {
  if (work) (fx.abandoned ??= []).push(work);
}

/**
 * Asks the node's plugin to stop the work, and writes the call's log lines and how it ended into
 * the node's log, where an operator looks. Best effort: a failure is only reported there.
 */
export async function cancelAbandoned(engine: FlowEngine, work: AbandonedWork): Promise<void> {
  const loaded = await engine.task(work.taskId);
  const def = loaded?.run.node(work.nodeId);
  if (!loaded || def?.type !== 'task') return;
  const { task } = loaded;
  const outcome = await engine.deps.plugins.invoke({
    plugin: def.plugin, call: 'cancel', inputs: work.inputs, state: work.state,
    context: { taskId: task.id, nodeId: work.nodeId, projectId: task.projectId, attempt: work.attempt, operator: task.createdBy },
  });
  const failed = outcome.status === 'failed' ? outcome.error : undefined;
  const ended = failed ? `it failed: ${failed.code}: ${failed.message}` : 'done';
  await engine.deps.store.addLogs(work.taskId, work.nodeId, [...outcome.logs, {
    at: Date.now(), level: failed ? 'warn' : 'info',
    message: `asked ${def.plugin.name}@${def.plugin.version} to stop the remote work of this node (${work.why}): ${ended}`,
  }]);
}
