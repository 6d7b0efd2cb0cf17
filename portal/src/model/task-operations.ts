/**
 * Which operations the task monitor offers, and why one is not available now. Every button of
 * the monitor is driven by this, so that a disabled control always says why.
 */
import type { FlowNode, JsonValue } from '@opsloom/core/model';
import { isTaskOver, type Task, type TaskNodeRun } from './task-types.js';

/** Task-level operations (`POST /tasks/:taskId/<op>`). */
export type TaskOperation = 'start' | 'pause' | 'resume' | 'revoke';

/** Node-level operations (`POST /tasks/:taskId/nodes/:nodeId/<op>`). */
export type NodeOperation = 'retry' | 'skip' | 'skip-gateway' | 'force-fail' | 'approve' | 'callback' | 'pause' | 'resume' | 'breakpoint' | 'continue';

/**
 * The approval plugin's package name, under any scope (`@opsloom/plugin-approval`, an
 * organisation's own build): a callback-mode node that waits for a person's decision.
 */
export const APPROVAL_PLUGIN_SUFFIX = '/plugin-approval';

/** True for a node that asks a person to approve: core's rule for its approve operation. */
export function isApprovalNode(node: FlowNode): boolean {
  return node.type === 'task' && node.plugin.name.endsWith(APPROVAL_PLUGIN_SUFFIX);
}

/**
 * Who would decide an approval node, when the node's detail is at hand: the signed-in user's
 * project role (a system administrator's is admin) and the node's inputs as rendered for the
 * attempt that waits. Core refuses a role its `approverRoles` does not list (`not_an_approver`).
 */
export interface Decider {
  role: string;
  inputs: Record<string, JsonValue> | null | undefined;
}

/** An operation and whether it can be used now; `reason` says why not. */
export interface Availability<T extends string> {
  op: T;
  label: string;
  enabled: boolean;
  reason?: string;
}

const TASK_LABELS: Record<TaskOperation, string> = { start: 'Start', pause: 'Pause', resume: 'Resume', revoke: 'Revoke' };

/** The task-level operations with their availability. */
export function taskOperations(task: Pick<Task, 'state'>): Availability<TaskOperation>[] {
  const s = task.state;
  const over = isTaskOver(s) ? `the task is ${s}` : undefined;
  const rule: Record<TaskOperation, string | undefined> = {
    start: s === 'created' ? undefined : `the task was already started (it is ${s})`,
    pause: s === 'running' || s === 'failed' ? undefined : over ?? `only a running or failed task can be paused (it is ${s})`,
    resume: s === 'paused' ? undefined : over ?? `only a paused task can be resumed (it is ${s})`,
    revoke: over,
  };
  return (Object.keys(TASK_LABELS) as TaskOperation[]).map((op) => available(op, TASK_LABELS[op], rule[op]));
}

const NODE_LABELS: Record<NodeOperation, string> = {
  retry: 'Retry', skip: 'Skip', 'skip-gateway': 'Skip branch', 'force-fail': 'Force fail', approve: 'Approve or reject', callback: 'Send callback',
  pause: 'Pause subflow', resume: 'Resume subflow', breakpoint: 'Breakpoint', continue: 'Continue',
};

/**
 * The node-level operations for one node of a task, with their availability. `child` is the task
 * a subflow node runs, when read: pausing and resuming it depend on that task's state. `decider`,
 * when known, offers an approval only to a role the node lists.
 */
export function nodeOperations(task: Pick<Task, 'state'>, node: FlowNode, run: TaskNodeRun | undefined, child?: Pick<Task, 'state'>, decider?: Decider): Availability<NodeOperation>[] {
  const state = run?.state ?? 'pending';
  const over = isTaskOver(task.state) ? `the task is ${task.state}` : undefined;
  const onlyFailed = (verb: string): string | undefined => (state === 'failed' ? undefined : `only a failed node can be ${verb}; this one is ${state}`);
  const activity = node.type === 'task' || node.type === 'subflow' ? node : undefined;
  const isConditional = node.type === 'exclusive' || node.type === 'conditional-parallel';
  const rule: Record<NodeOperation, string | undefined> = {
    retry: over ?? (activity ? (onlyFailed('retried') ?? (activity.retryable === false ? 'the template marks this node as not retryable' : undefined))
      : isConditional ? onlyFailed('retried') : 'only task, subflow and conditional gateway nodes can be retried'),
    skip: over ?? (activity ? (onlyFailed('skipped') ?? (activity.skippable === false ? 'the template marks this node as not skippable' : undefined))
      : 'only task and subflow nodes can be skipped; for a gateway, skip a branch'),
    'skip-gateway': over ?? (isConditional ? onlyFailed('skipped past') : 'only a failed exclusive or conditional-parallel gateway has branches to choose'),
    'force-fail': over ?? (activity ? (state === 'running' || state === 'waiting' || retrying(run) ? undefined : `only a running or waiting node, or one waiting out its retry interval, can be forced to fail; this one is ${state}`)
      : 'only task and subflow nodes can be forced to fail'),
    approve: over ?? (!isApprovalNode(node) ? 'only an approval node asks for a decision' : waitsForCallback(run, state) ?? approverRule(decider)),
    callback: over ?? (node.type !== 'task' ? 'only task nodes receive callbacks' : isApprovalNode(node) ? 'an approval is decided with Approve or reject, as yourself' : waitsForCallback(run, state)),
    pause: over ?? (node.type === 'subflow' ? subflowTask(state, child, ['running', 'failed'], 'paused') : 'only subflow nodes can be paused on their own; pause the task instead'),
    resume: over ?? (node.type === 'subflow' ? subflowTask(state, child, ['paused'], 'resumed') : 'only subflow nodes can be resumed on their own'),
    breakpoint: over ?? breakpointRule(node, run, state),
    continue: over ?? (run?.breakpoint && state === 'suspended' ? undefined : 'the node is not held at a breakpoint'),
  };
  return (Object.keys(NODE_LABELS) as NodeOperation[]).map((op) => available(op, NODE_LABELS[op], rule[op]));
}

/** Ready again after a failed attempt: core lets an operator fail it rather than wait for every retry. */
function retrying(run: TaskNodeRun | undefined): boolean {
  return run?.state === 'ready' && (run.attempts ?? 0) > 0;
}

/** A subflow node waits while its task runs; that task's state says whether it can be paused or resumed. */
function subflowTask(state: string, child: Pick<Task, 'state'> | undefined, allowed: string[], verb: string): string | undefined {
  if (state !== 'waiting') return `only a subflow whose task is under way can be ${verb} (the node is ${state})`;
  if (!child) return 'reading the state of the subflow\'s task…';
  return allowed.includes(child.state) ? undefined : `the subflow's task is ${child.state}`;
}

/** Core holds any node but the start event and subflows (which pause instead) at a breakpoint, and clears one whenever asked. */
function breakpointRule(node: FlowNode, run: TaskNodeRun | undefined, state: string): string | undefined {
  if (node.type === 'subflow') return 'breakpoints are not for subflow nodes; pause the subflow instead';
  if (node.type === 'start') return 'the start event takes no breakpoint';
  if (run?.breakpoint) return undefined;
  return ['pending', 'ready', 'finished', 'failed', 'skipped'].includes(state) ? undefined : `a breakpoint cannot be set while the node is ${state}`;
}

/** Core's rule for who decides; without the role or the rendered roles, core alone says. */
function approverRule(decider: Decider | undefined): string | undefined {
  const listed = decider?.inputs?.approverRoles;
  if (!decider?.role || !Array.isArray(listed)) return undefined;
  return listed.includes(decider.role) ? undefined : `only ${listed.join(' or ')} may decide; your role here is ${decider.role}`;
}

function waitsForCallback(run: TaskNodeRun | undefined, state: string): string | undefined {
  if (state !== 'waiting') return `the node is not waiting for a callback (it is ${state})`;
  if (run?.waiting && run.waiting !== 'callback') return `the node is waiting for a ${run.waiting}, not a callback`;
  return undefined;
}

function available<T extends string>(op: T, label: string, reason: string | undefined): Availability<T> {
  return reason === undefined ? { op, label, enabled: true } : { op, label, enabled: false, reason };
}
