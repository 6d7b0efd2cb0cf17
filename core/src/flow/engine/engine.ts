import type { Logger } from 'pino';
import { newId } from '../../store/ids.js';
import type { Coordination, WorkQueue } from '../../queue/index.js';
import { normalizeInput, type FlowEdge, type FlowNode, type JsonValue, type TaskNode } from '../../model/index.js';
import type { ExpressionSandbox } from '../expression/index.js';
import { containsExpression, containsTemplate, literalInput, unescapeTemplates } from '../expression/index.js';
import type { PluginGateway, PluginOutcome } from '../plugin-catalog.js';
import type { NodePatch, TaskStore } from '../task/task-store.js';
import { type NodeDetail, type NodeRecord, type NodeState, type Task, type TaskState } from '../task/task-types.js';
import { GraphCache, type RunGraph } from './graph-cache.js';
import { ABORT_CHANNEL, STEP_QUEUE, taskChannel, type StepMessage, type TaskEvent } from './messages.js';
import { declaredNames, expressionScope, systemVariables } from './scope.js';
import { renderVariablesInOrder } from './initial-variables.js';
import { TtlCache } from '../../store/ttl-cache.js';
import { closeChild, lockChild, revokeTaskRows } from './subflow-closure.js';
import { abandon, abandonedWork, cancelAbandoned, type AbandonedWork } from './abandoned-work.js';
import { RootTasks } from './root-task.js';

import type { SqlRunner } from '../../store/direct-sql.js';

export interface EngineOptions {
  /** Steps run at once by this process. @default 32 */
  concurrency: number;
  /** How long a running step may go without renewing its lease before the sweeper recovers it. @default 30 s */
  leaseMs: number;
  /** Re-entries of a node on a loop before it fails. @default 100 */
  maxLoops: number;
  publicUrl: string;
}

/** Launches a subflow's child task inside the parent's transaction (implemented by the task factory). */
export interface SubflowLauncher {
  /** Builds the child task (reads templates and plugins; no transaction may be open). */
  prepare(parent: Task, node: FlowNode, params: Record<string, JsonValue>): Promise<PreparedChild>;
  /** Stores the prepared child, running, with its start node ready, inside the parent's transaction. */
  insert(tx: SqlRunner, child: PreparedChild): Promise<{ childId: string; startVersion: string; startNode: string }>;
}

/** A child task built but not yet stored. */
export interface PreparedChild { task: Task; vars: Record<string, JsonValue> }

export interface EngineDeps {
  store: TaskStore;
  coordination: Coordination;
  plugins: PluginGateway;
  sandbox: ExpressionSandbox;
  log: Logger;
  project(id: string): Promise<{ id: string; key: string; name: string }>;
  /** The project's constants, key → value (`${_env_KEY}`); cached by their owner, so called on every scope. */
  constants(projectId: string): Promise<Record<string, string>>;
  subflows: SubflowLauncher;
}

/** How long a first plugin call runs before its claim is written on its own (see callPlugin). */
const CLAIM_DELAY_MS = 50;
/** A ready node older than this is claimed before its call; well under the sweeper's READY_STALE_MS. */
const LAZY_CLAIM_WINDOW_MS = 1_000;

/** The compare-and-set that claims a node row together with the first write of a step's outcome. */
interface Claim { from: readonly NodeState[]; patch?: NodePatch }

/**
 * Collected inside a transaction, acted on after it commits. `closedChildren`: child tasks revoked
 * in it (see closeChild), whose own subflows and running calls are revoked after it. `abandoned`:
 * remote work of waiting plugin nodes it moved on, whose plugins are asked to stop it after it.
 */
export interface Effects { messages: { msg: StepMessage; delayMs?: number }[]; events: TaskEvent[]; closedChildren?: string[]; abandoned?: AbandonedWork[] }
const effects = (): Effects => ({ messages: [], events: [] });

/**
 * The durable flow engine. Each node step is a compare-and-set on the node row (guarded by its
 * version token) plus the activation of its successors, in one transaction; queue messages only
 * wake workers, so a replayed message is a no-op and a lost one is found again by the sweeper.
 */
export class FlowEngine {
  readonly graphs = new GraphCache();
  private readonly tasks = new Map<string, Task>();
  /** Sending works in every process (an api-only one starts tasks and applies callbacks too); only workers consume. */
  private readonly queue: WorkQueue<StepMessage>;
  /**
   * Running plugin calls of this process, by `task:node`, with the node version they run under, so
   * revoke / force-fail / timeout stop the attempt they meant and not a retry that started since.
   */
  private readonly inflight = new Map<string, { ctl: AbortController; version: string }>();
  /** Cancel calls of abandoned work still running (see {@link flush}); a shutdown lets them end. */
  private readonly cancelling = new Set<Promise<void>>();
  private unsubscribe: (() => Promise<void>) | undefined;
  private closing = false;
  /** A short-lived cache of what every expression scope needs but rarely changes (constants are cached by their service). */
  private readonly projectInfo = new TtlCache<{ id: string; key: string; name: string }>(10_000);
  private readonly roots: RootTasks;

  constructor(readonly deps: EngineDeps, readonly options: EngineOptions) {
    this.queue = deps.coordination.queue<StepMessage>(STEP_QUEUE);
    this.roots = new RootTasks((id) => deps.store.header(id), (id) => deps.store.startedAt(id));
  }

  async start(): Promise<void> {
    this.queue.process((job) => this.handle(job.data), { concurrency: this.options.concurrency });
    this.unsubscribe = await this.deps.coordination.events.subscribe(ABORT_CHANNEL, (m) => {
      const { taskId, nodeId, version } = m as { taskId: string; nodeId?: string; version?: string };
      for (const [key, call] of this.inflight) {
        const hit = nodeId === undefined ? key.startsWith(`${taskId}:`) : key === `${taskId}:${nodeId}` && (version === undefined || call.version === version);
        if (hit) call.ctl.abort(new Error('stopped by an operator'));
      }
    });
  }

  async close(): Promise<void> {
    // Calls cut short by a shutdown are not failures: their nodes stay running, their leases
    // lapse, and another process (or this one after a restart) runs the attempt again.
    this.closing = true;
    for (const { ctl } of this.inflight.values()) ctl.abort(new Error('core is shutting down'));
    await this.queue.close();
    await this.unsubscribe?.();
    await Promise.all(this.cancelling);
  }

  /** The task's immutable part (graph, names), cached; its state is always read fresh. */
  async task(taskId: string): Promise<{ task: Task; run: RunGraph } | undefined> {
    let task = this.tasks.get(taskId);
    if (!task) {
      task = await this.deps.store.task(taskId);
      if (!task) return undefined;
      this.tasks.set(taskId, task);
      if (this.tasks.size > 500) this.tasks.delete(this.tasks.keys().next().value!);
    }
    const t = task;
    return { task: t, run: this.graphs.get(taskId, () => t.graph) };
  }

  /** Runs `fn` in a transaction, then sends its messages and events. */
  async commit<T>(fn: (tx: SqlRunner, fx: Effects) => Promise<T>): Promise<T> {
    // Effects afresh on every run of the transaction: a deadlock's victim runs again (DirectSql).
    let fx = effects();
    const result = await this.deps.store.transaction((tx) => fn(tx, (fx = effects())));
    await this.flush(fx);
    return result;
  }

  /**
   * Like {@link commit} for a step that moves its task on: one node it made ready to run now is
   * kept back from the queue and returned, so this worker runs it next without a queue round trip.
   * Should this process die first, the sweeper finds that ready node like any other.
   */
  private async commitStep(fn: (tx: SqlRunner, fx: Effects) => Promise<unknown>): Promise<StepMessage | undefined> {
    let fx = effects();
    await this.deps.store.transaction((tx) => fn(tx, (fx = effects())));
    const i = this.closing ? -1 : fx.messages.findIndex((m) => m.msg.k === 'run' && !m.delayMs);
    const inline = i >= 0 ? fx.messages.splice(i, 1)[0]!.msg : undefined;
    await this.flush(fx);
    return inline;
  }

  async flush(fx: Effects): Promise<void> {
    if (fx.messages.length > 0) {
      await this.queue.addBulk(fx.messages.map(({ msg, delayMs }) => ({
        name: msg.k, data: msg, opts: { jobId: `${msg.t}:${msg.n}:${msg.v}:${msg.k}${msg.w ? `:${msg.w}` : ''}`, attempts: 5, backoffMs: 200, ...(delayMs ? { delayMs } : {}) },
      })));
    }
    // Sent together, in order: a bus keeps one connection's order, so a task's events arrive in order.
    if (fx.events.length > 0) await this.deps.coordination.events.publishAll(fx.events.map((e) => ({ channel: taskChannel(e.taskId), message: e })));
    for (const id of fx.closedChildren ?? []) await this.revokeTree(id);
    for (const work of fx.abandoned ?? []) this.cancelWork(work);
  }

  /** Asks a plugin to stop abandoned work, not awaited: an operation (an HTTP revoke) never waits for a plugin. */
  private cancelWork(work: AbandonedWork): void {
    const cancelling: Promise<void> = cancelAbandoned(this, work)
      .catch((err: unknown) => this.deps.log.warn({ err, taskId: work.taskId, nodeId: work.nodeId }, 'could not ask a plugin to stop the remote work of its node'))
      .finally(() => this.cancelling.delete(cancelling));
    this.cancelling.add(cancelling);
  }

  nodeEvent(fx: Effects, taskId: string, nodeId: string, state: string, extra: Partial<TaskEvent> = {}): void {
    fx.events.push({ type: 'node', taskId, nodeId, state, at: new Date().toISOString(), ...extra });
  }

  taskEvent(fx: Effects, taskId: string, state: string, error?: string | null): void {
    fx.events.push({ type: 'task', taskId, state, at: new Date().toISOString(), ...(error !== undefined ? { error } : {}) });
  }

  /**
   * Sends the run message of a node that is ready again (a resumed task's). One made ready moments
   * ago may be running under its first message, claimed lazily and still saying ready (see
   * callPlugin): this message waits until such a call has claimed the node, so it finds the node
   * taken instead of calling the plugin a second time.
   */
  rerun(fx: Effects, taskId: string, row: NodeRecord): void {
    const delayMs = row.updatedAt + LAZY_CLAIM_WINDOW_MS + CLAIM_DELAY_MS - Date.now();
    fx.messages.push({ msg: { t: taskId, n: row.nodeId, v: row.version, k: 'run' }, ...(delayMs > 0 ? { delayMs } : {}) });
  }

  /** Stops the task's running plugin calls, or one node's call, or only the attempt under `version`. */
  async abort(taskId: string, nodeId?: string, version?: string): Promise<void> {
    await this.deps.coordination.events.publish(ABORT_CHANNEL, { taskId, ...(nodeId ? { nodeId } : {}), ...(nodeId && version ? { version } : {}) });
  }

  /**
   * Applies `op` to a task, then to each task below it (its subflows' child tasks, down the tree),
   * each in its own transaction, so no transaction locks a parent before its child (the order in
   * which a child's end or revival reaches its parent). Only the first call has `root` set.
   */
  async eachInTree(taskId: string, op: (taskId: string, root: boolean) => Promise<void>, root = true): Promise<void> {
    await op(taskId, root);
    for (const child of await this.deps.store.childTasks(taskId)) await this.eachInTree(child.id, op, false);
  }

  /**
   * Revokes a task and every task below it: active nodes revoked, in-flight calls cancelled,
   * nothing starts after. A task past revoking is passed over, or for the root, refused with
   * `refuse(its state)` when given.
   */
  async revokeTree(taskId: string, refuse?: (state: TaskState) => Error): Promise<void> {
    const { store } = this.deps;
    await this.eachInTree(taskId, async (id, root) => {
      const { task } = (await this.task(id))!;
      await this.commit(async (tx, fx) => {
        if (!(await revokeTaskRows(this, tx, fx, id))) {
          if (refuse && root) throw refuse((await store.taskState(id, tx))!);
          return;
        }
        // A subflow's child revoked on its own fails the parent's node, which would otherwise wait forever.
        await this.notifyParent(tx, fx, task);
      });
      await this.abort(id);
    });
  }

  /** Handles one queue message, then the chain of steps it leads to that this worker runs inline. */
  async handle(msg: StepMessage): Promise<void> {
    let next: StepMessage | undefined = msg;
    try {
      while (next && !this.closing) next = await this.step(next);
    } catch (err) {
      // The queue runs the message again and the sweeper re-sends it: said here, since a step that
      // fails each time (a write the database refuses) would otherwise repeat unseen.
      this.deps.log.warn({ err, taskId: next?.t, nodeId: next?.n, kind: next?.k }, 'a flow step failed; it will be run again');
      throw err;
    }
  }

  /** Runs one step; returns the next step to run at once, if it made one ready. */
  private async step(msg: StepMessage): Promise<StepMessage | undefined> {
    const loaded = await this.task(msg.t);
    if (!loaded) return;
    const found = await this.deps.store.step(msg.t, msg.n);
    if (!found) return;
    const { taskState: state, node: row } = found;
    // A paused task lets started work finish (polls, subflow results) but starts nothing new.
    if (state !== 'running' && state !== 'failed' && !(msg.k !== 'run' && state === 'paused')) return;
    if (row.version !== msg.v) return;
    const def = loaded.run.node(msg.n);
    if (msg.k === 'child') { await this.childEnded(loaded.task, row); return; }
    if (msg.k === 'poll') {
      if (row.state !== 'waiting' || row.waitKind !== 'poll') return;
      // Another wake-up than the one this wait scheduled (a sweeper re-send, a redelivery), before
      // the wait is due, finds a poll that ran since: the message for the plugin's next poll is on
      // its way. Polling now would ignore the plugin's delay and start a second chain of polls.
      if (row.wakeAt && row.wakeAt > Date.now() && msg.w !== row.wakeAt) return;
      // The plugin state is read once the poll is claimed: one that ran since this row was read moved it on.
      return (await this.callPlugin(loaded.task, row, def as TaskNode, 'poll'))?.next;
    }
    if (row.state !== 'ready') return;
    if (row.wakeAt && row.wakeAt > Date.now()) {
      await this.queue.add('run', msg, { delayMs: row.wakeAt - Date.now(), jobId: `${msg.t}:${msg.n}:${msg.v}:wake` });
      return;
    }
    if (row.breakpoint && !row.breakpointPassed) {
      await this.commit(async (tx, fx) => {
        if (await this.deps.store.casNode(msg.t, msg.n, ['ready'], msg.v, { state: 'suspended' }, tx)) this.nodeEvent(fx, msg.t, msg.n, 'suspended', { version: msg.v });
      });
      return;
    }
    switch (def.type) {
      case 'task': return (await this.callPlugin(loaded.task, row, def, 'execute', { detail: row }))?.next;
      case 'subflow': await this.launchSubflow(loaded.task, row, def); return;
      default: return this.runControl(loaded.task, loaded.run, row, def);
    }
  }

  // ---- control nodes: start, end, gateways — decided, finished and advanced in one transaction ----

  private async runControl(task: Task, run: RunGraph, row: NodeRecord, def: FlowNode): Promise<StepMessage | undefined> {
    let chosen: FlowEdge[];
    let initial: Record<string, JsonValue> = {};
    const startedAt = Date.now();
    try {
      chosen = await this.chooseFlows(task, run, def);
      if (def.type === 'start') initial = await this.initialVariables(task);
    } catch (err) {
      // The failed evaluation keeps its start, on the node (still shown once skipped) and in its history.
      await this.commit(async (tx, fx) => {
        if (await this.failNode(tx, fx, task, { ...row, startedAt }, (err as Error).message, ['ready'])) await this.deps.store.patchNode(task.id, row.nodeId, { startedAt }, tx);
      });
      return;
    }
    return this.commitStep(async (tx, fx) => {
      const now = Date.now();
      if (!(await this.deps.store.casNode(task.id, row.nodeId, ['ready'], row.version, { state: 'finished', startedAt: now, finishedAt: now }, tx))) return;
      this.nodeEvent(fx, task.id, row.nodeId, 'finished', { version: row.version, loop: row.loop });
      if (def.type === 'start') await this.deps.store.setVars(task.id, initial, tx);
      if (def.type === 'end') return this.endReached(tx, fx, task);
      await this.advance(tx, fx, task, run, def, chosen);
    });
  }

  /** The flows a control node continues on; throws with a message naming the conditions when none fits. */
  private async chooseFlows(task: Task, run: RunGraph, def: FlowNode): Promise<FlowEdge[]> {
    const out = run.outgoing(def.id);
    if (def.type !== 'exclusive' && def.type !== 'conditional-parallel') return out;
    const scope = await this.scope(task);
    const conditional = out.filter((f) => !f.default && f.condition);
    const holds = (f: FlowEdge) => this.deps.sandbox.evaluateCondition(f.condition!.expression, scope, { input: `condition of flow ${f.id}`, declared: declaredNames(task.graph) });
    let truthy: FlowEdge[] = [];
    if (def.type === 'exclusive' && def.strategy === 'first') {
      // The first true condition, in flow order, wins: the ones after it are not evaluated, so one that would fail cannot fail the gateway.
      for (const f of conditional) if (await holds(f)) { truthy = [f]; break; }
    } else {
      const results = await Promise.all(conditional.map(async (f) => ({ flow: f, ok: await holds(f) })));
      truthy = results.filter((r) => r.ok).map((r) => r.flow);
    }
    const fallback = out.find((f) => f.default);
    const describe = (fs: FlowEdge[]) => fs.map((f) => `${f.id} (${f.condition?.name ?? f.condition?.expression})`).join(', ');
    if (def.type === 'conditional-parallel') {
      if (truthy.length > 0) return truthy;
      if (fallback) return [fallback];
      throw new Error(`no condition of gateway ${def.id} is true and it has no default flow; conditions: ${describe(conditional)}`);
    }
    if (truthy.length === 1) return truthy;
    if (truthy.length > 1) throw new Error(`gateway ${def.id} needs exactly one true condition, but ${describe(truthy)} are all true (set its strategy to "first" to take the first)`);
    if (fallback) return [fallback];
    throw new Error(`no condition of exclusive gateway ${def.id} is true and it has no default flow; conditions: ${describe(conditional)}`);
  }

  /** Activates the targets of `flows` leaving `from`; a fork also tells its converge how many tokens to await. */
  async advance(tx: SqlRunner, fx: Effects, task: Task, run: RunGraph, from: FlowNode, flows: FlowEdge[]): Promise<void> {
    if (from.type === 'parallel' || from.type === 'conditional-parallel') {
      const converge = run.converges.get(from.id);
      if (converge) {
        await this.deps.store.resetArrivals(task.id, converge, tx);
        await this.deps.store.patchNode(task.id, converge, { expected: flows.length }, tx);
      }
    }
    for (const f of flows) await this.activate(tx, fx, task, run, f);
  }

  private async activate(tx: SqlRunner, fx: Effects, task: Task, run: RunGraph, via: FlowEdge): Promise<void> {
    const target = run.node(via.target);
    const joins = target.type === 'converge' && run.joins.has(target.id);
    if (!joins) {
      // First entry, the common case: a node still pending since the task began needs no reset.
      const version = newId();
      if (await this.deps.store.casNode(task.id, target.id, ['pending'], undefined, { state: 'ready', version }, tx)) {
        fx.messages.push({ msg: { t: task.id, n: target.id, v: version, k: 'run' } });
        this.nodeEvent(fx, task.id, target.id, 'ready', { version, loop: 0 });
        return;
      }
    }
    const row = await this.deps.store.node(task.id, target.id, tx);
    if (!row) return;
    if (joins) {
      const arrived = await this.deps.store.arrive(task.id, target.id, via.id, tx);
      if (arrived < (row.expected ?? run.incoming(target.id).length)) return;
      await this.deps.store.resetArrivals(task.id, target.id, tx);
    }
    if (row.state === 'ready' || row.state === 'running' || row.state === 'waiting' || row.state === 'suspended') return;
    const reentry = row.state !== 'pending';
    const loop = reentry ? row.loop + 1 : row.loop;
    const maxLoops = ('loop' in target && target.loop?.maxLoops) || this.options.maxLoops;
    const version = newId();
    if (reentry) {
      const prev = await this.deps.store.nodeDetail(task.id, target.id, tx);
      await this.deps.store.addHistory(task.id, target.id, {
        loop: row.loop, retries: row.retries, attempts: row.attempts, state: row.state, inputs: prev?.inputs ?? null,
        outputs: prev?.outputs ?? null, error: row.error, startedAt: row.startedAt, finishedAt: row.finishedAt,
      }, tx);
    }
    // A new run: nothing of the archived one (its retries, inputs, outputs) may pass for this run's,
    // not even when the loop limit refuses it. Inputs an operator gave a retry were for that run:
    // this one renders the node's own inputs again.
    const fresh: NodePatch = {
      version, loop, retries: 0, attempts: 0, errorIgnored: false, startedAt: null, finishedAt: null,
      wakeAt: null, deadlineAt: null, leaseUntil: null, waitKind: null, breakpointPassed: false, pluginState: null, childTaskId: null,
      inputs: null, inputOverride: null, outputs: null,
    };
    if (loop > maxLoops) {
      const error = `node ${target.id} was re-entered ${loop} times, more than its loop limit of ${maxLoops}`;
      await this.deps.store.patchNode(task.id, target.id, { ...fresh, state: 'failed', finishedAt: Date.now(), error }, tx);
      await this.markTaskFailed(tx, fx, task, `node ${target.id} failed: ${error}`);
      this.nodeEvent(fx, task.id, target.id, 'failed', { version, loop });
      return;
    }
    await this.deps.store.patchNode(task.id, target.id, { ...fresh, state: 'ready', error: null }, tx);
    fx.messages.push({ msg: { t: task.id, n: target.id, v: version, k: 'run' } });
    this.nodeEvent(fx, task.id, target.id, 'ready', { version, loop });
  }

  private async endReached(tx: SqlRunner, fx: Effects, task: Task): Promise<void> {
    const now = Date.now();
    // Paused too: a pause that committed after this end step began lets it finish as started work,
    // and its end finished leaves nothing a resume could run (the task would stay running for ever).
    if (!(await this.deps.store.casTask(task.id, ['running', 'failed', 'paused'], { state: 'finished', finishedAt: now }, tx))) return;
    this.taskEvent(fx, task.id, 'finished');
    await this.notifyParent(tx, fx, task);
  }

  /**
   * Renders variables whose defaults hold `${…}` over other variables, once, at the start event,
   * each after the variables it reads.
   * A subflow's params are left alone: the parent rendered them already (or kept them literal with
   * `render: false`), so a `${` in them is data, not an expression of the child.
   */
  private async initialVariables(task: Task): Promise<Record<string, JsonValue>> {
    const vars = await this.deps.store.vars(task.id);
    const pending = this.unrenderedVariables(task, vars);
    // A value with only `$${` escapes ("echo $${USER}") needs no sandbox, but is unescaped all the same.
    const escaped = this.renderedAtStart(task, vars).filter((k) => containsTemplate(vars[k]) && !pending.includes(k));
    const unescaped = Object.fromEntries(escaped.map((k) => [k, unescapeTemplates(vars[k]) as JsonValue]));
    return { ...unescaped, ...await renderVariablesInOrder(vars, pending, async (key, value, rendered) =>
      (await this.deps.sandbox.render(value, await this.scope(task, { ...vars, ...unescaped, ...rendered }), { input: `variable ${key}`, declared: declaredNames(task.graph) })) as JsonValue) };
  }

  /** The variables whose values hold `${…}` the start event renders (see {@link initialVariables}). */
  unrenderedVariables(task: Task, vars: Record<string, JsonValue>): string[] {
    // Expressions nested in a list or object value count too: validation checks them as references.
    return this.renderedAtStart(task, vars).filter((k) => containsExpression(vars[k]));
  }

  /** The variables the start event renders when they hold `${`: not `render: false`, not given by a parent. */
  private renderedAtStart(task: Task, vars: Record<string, JsonValue>): string[] {
    const defs = task.graph.variables ?? {};
    const fromParent = (k: string) => task.parentTaskId !== null && Object.hasOwn(task.variables, k);
    return Object.keys(defs).filter((k) => defs[k]!.render !== false && !fromParent(k) && Object.hasOwn(vars, k));
  }

  async scope(task: Task, vars?: Record<string, JsonValue>): Promise<Record<string, unknown>> {
    const [values, project, constants, root] = await Promise.all([
      vars ?? this.deps.store.vars(task.id), this.projectInfo.get(task.projectId, () => this.deps.project(task.projectId)),
      this.deps.constants(task.projectId), this.roots.of(task),
    ]);
    return expressionScope(values, systemVariables(root, project, this.options.publicUrl), constants);
  }

  // ---- plugin nodes ----

  /**
   * Claims the node, calls its plugin outside any transaction, and applies the outcome. `detail`
   * is the row as the caller read it (saves a read); `inline` lets a queue worker keep the next
   * step for itself (see {@link commitStep}).
   */
  private async callPlugin(task: Task, row: NodeRecord, def: TaskNode, call: 'execute' | 'poll' | 'callback', opts: { detail?: NodeDetail; callbackData?: JsonValue; deliveryId?: string; inline?: boolean } = {}): Promise<{ outcome: PluginOutcome | 'duplicate'; next?: StepMessage } | undefined> {
    const now = Date.now();
    const from = call === 'execute' ? ['ready' as const] : ['waiting' as const];
    const timeoutMs = def.onError?.timeout ? def.onError.timeout.seconds * 1000 : undefined;
    const start: NodePatch = { state: 'running', leaseUntil: now + this.options.leaseMs };
    // An attempt starts afresh: no finish time left from a failed run while it runs again.
    if (call === 'execute') Object.assign(start, { startedAt: now, finishedAt: null, attempts: row.attempts + 1, deadlineAt: timeoutMs ? now + timeoutMs : null });
    // A first call is claimed lazily: only once it outlasts CLAIM_DELAY_MS, else in the transaction
    // that applies its outcome, which saves a commit per step. Until then the node row says ready,
    // which recovery treats like a running step whose lease lapsed. Only a node made ready
    // moments ago is run that way: the sweeper re-sends a ready node only after READY_STALE_MS,
    // so no second message for it can be running meanwhile. Polls and callbacks claim first, so
    // concurrent callbacks stay serialised.
    let claim: Promise<boolean> | undefined;
    const claimNow = (): Promise<boolean> => (claim ??= this.deps.store.casNode(task.id, row.nodeId, from, row.version, start));
    const lazy = call === 'execute' && row.updatedAt > now - LAZY_CLAIM_WINDOW_MS;
    if (!lazy && !(await claimNow())) return undefined;
    // Checked while holding the claim, which serialises a node's callbacks: an earlier delivery of
    // the same id committed its outcome (and its id) before this claim could be taken.
    if (opts.deliveryId !== undefined && (await this.deps.store.delivered(task.id, row.nodeId, opts.deliveryId))) {
      await this.deps.store.casNode(task.id, row.nodeId, ['running'], row.version, { state: 'waiting', leaseUntil: null });
      return { outcome: 'duplicate' };
    }
    // The running event, stamped now. A lazily claimed call announces itself with its claim: at
    // CLAIM_DELAY_MS, or else first among the events of its outcome, in the same publish.
    let running: Effects | undefined;
    const announce = (into?: Effects): void => {
      if (!running) return;
      // Into a transaction's effects it goes again should the transaction run again.
      if (into) { into.events.unshift(...running.events); return; }
      const fx = running;
      running = undefined;
      // Not awaited: the bus keeps its order, so this event still precedes the step's next ones.
      this.flush(fx).catch((err: unknown) => this.deps.log.warn({ err, taskId: task.id, nodeId: row.nodeId }, 'could not publish a node event'));
    };
    if (call === 'execute') {
      running = effects();
      this.nodeEvent(running, task.id, row.nodeId, 'running', { version: row.version, loop: row.loop });
      if (!lazy) announce();
    }
    // The row as this attempt has it once claimed: its outcome and history entry carry its number and start.
    const current: NodeRecord = call === 'execute' ? { ...row, attempts: row.attempts + 1, startedAt: now } : row;
    const attempt = current.attempts;
    const detail = opts.detail ?? await this.deps.store.nodeDetail(task.id, row.nodeId);
    /**
     * Commits `fn` once the node is claimed: in the same transaction when the call was never
     * claimed, and not at all when the node moved on meanwhile. An earlier claim is awaited
     * before the transaction opens (on SQLite they would wait for the same connection).
     */
    const commitClaimed = async (fn: (tx: SqlRunner, fx: Effects) => Promise<void>, inline: boolean): Promise<StepMessage | undefined> => {
      const early = claim ? await claim.catch(() => false) : undefined;
      if (early === false) return undefined;
      const body = async (tx: SqlRunner, fx: Effects) => {
        announce(fx);
        if (early || (await this.deps.store.casNode(task.id, row.nodeId, from, row.version, start, tx))) await fn(tx, fx);
      };
      if (inline) return this.commitStep(body);
      await this.commit(body);
      return undefined;
    };
    let inputs: Record<string, JsonValue>;
    try {
      inputs = call === 'execute' ? await this.renderInputs(task, def, (detail?.inputOverride ?? null) as Record<string, JsonValue> | null) : (detail?.inputs ?? {});
    } catch (err) {
      await commitClaimed((tx, fx) => this.failAttempt(tx, fx, task, current, def, (err as Error).message), false);
      return undefined;
    }
    const key = `${task.id}:${row.nodeId}`;
    const ctl = new AbortController();
    const inflight = { ctl, version: row.version };
    this.inflight.set(key, inflight);
    const lateClaim = claim ? undefined : setTimeout(() => {
      announce();
      claimNow().then((ok) => { if (!ok) ctl.abort(new Error('the node changed while its plugin ran')); }, () => undefined);
    }, CLAIM_DELAY_MS);
    const renew = setInterval(() => {
      void this.deps.store.casNode(task.id, row.nodeId, ['running'], row.version, { leaseUntil: Date.now() + this.options.leaseMs }).catch(() => undefined);
    }, Math.max(1000, this.options.leaseMs / 3));
    let outcome: PluginOutcome;
    try {
      await this.deps.plugins.assertRunnable(def.plugin);
      outcome = await this.deps.plugins.invoke({
        // Only a poll or a callback continues from the plugin's state; an execute (a retry too) starts from nothing.
        plugin: def.plugin, call, inputs, state: (call === 'execute' ? undefined : detail?.pluginState ?? undefined) as JsonValue | undefined,
        ...(opts.callbackData !== undefined ? { callbackData: opts.callbackData } : {}),
        context: { taskId: task.id, nodeId: row.nodeId, projectId: task.projectId, attempt, operator: task.createdBy },
        signal: ctl.signal,
      });
    } catch (err) {
      outcome = { status: 'failed', error: { code: (err as { code?: string }).code ?? 'plugin_error', message: (err as Error).message }, logs: [] };
    } finally {
      clearTimeout(lateClaim);
      clearInterval(renew);
      if (this.inflight.get(key) === inflight) this.inflight.delete(key);
    }
    if (this.closing) return undefined;
    // The outcome's first write is the claim's compare-and-set too: from running when the call was
    // claimed early, else from the state the call started in, carrying the claim's fields.
    const early = claim ? await claim.catch(() => false) : undefined;
    if (early === false) return undefined;
    const guard: Claim = early ? { from: ['running'], patch: {} } : { from, patch: start };
    const apply = async (tx: SqlRunner, fx: Effects) => {
      announce(fx);
      if (opts.deliveryId !== undefined) await this.deps.store.addDelivery(task.id, row.nodeId, opts.deliveryId, tx);
      return this.applyOutcome(tx, fx, task, current, def, outcome, inputs, guard);
    };
    if (opts.inline === false) {
      await this.commit(apply);
      return { outcome };
    }
    return { outcome, next: await this.commitStep(apply) };
  }

  private async renderInputs(task: Task, def: TaskNode, override: Record<string, JsonValue> | null): Promise<Record<string, JsonValue>> {
    const raw = override ?? (def.inputs as Record<string, JsonValue>);
    const out: Record<string, JsonValue> = {};
    let scope: Record<string, unknown> | undefined;
    for (const [key, input] of Object.entries(raw ?? {})) {
      const known = literalInput(input);
      if ('literal' in known) { out[key] = known.literal; continue; }
      scope ??= await this.scope(task);
      out[key] = (await this.deps.sandbox.render(known.expression, scope, { input: key, declared: declaredNames(task.graph) })) as JsonValue;
    }
    return out;
  }

  private async applyOutcome(tx: SqlRunner, fx: Effects, task: Task, row: NodeRecord, def: TaskNode, outcome: PluginOutcome, inputs: Record<string, JsonValue>, claim: Claim): Promise<void> {
    const { store } = this.deps;
    // Every write below starts with a compare-and-set on the running row: it holds the row lock
    // until commit, so a timeout, forced failure or revoke either lands before (and this stale
    // result is dropped) or after.
    if (outcome.status === 'done') {
      const outputs = { ...outcome.outputs, _result: true, _loop: row.loop } as Record<string, JsonValue>;
      if (await this.finishActivity(tx, fx, task, row, def, { inputs, outputs, pluginState: null }, claim)) await store.addLogs(task.id, row.nodeId, outcome.logs, tx);
      return;
    }
    // The inputs go with every outcome, so a failed attempt's node and history show what it ran with.
    if (!(await store.casNode(task.id, row.nodeId, claim.from, row.version, { ...claim.patch, inputs, leaseUntil: null }, tx))) return;
    await store.addLogs(task.id, row.nodeId, outcome.logs, tx);
    const now = Date.now();
    if (outcome.status === 'failed') return this.failAttempt(tx, fx, task, row, def, `${outcome.error.code}: ${outcome.error.message}`);
    if (outcome.status === 'poll') {
      const wakeAt = now + outcome.delayMs;
      await store.patchNode(task.id, row.nodeId, { state: 'waiting', waitKind: 'poll', pluginState: outcome.state, wakeAt, leaseUntil: null }, tx);
      fx.messages.push({ msg: { t: task.id, n: row.nodeId, v: row.version, k: 'poll', w: wakeAt }, delayMs: outcome.delayMs });
      this.nodeEvent(fx, task.id, row.nodeId, 'waiting', { version: row.version });
      return;
    }
    if (outcome.status === 'wait-callback') {
      await store.patchNode(task.id, row.nodeId, { state: 'waiting', waitKind: 'callback', callbackMultiple: outcome.multiple, pluginState: outcome.state, wakeAt: null, leaseUntil: null }, tx);
      this.nodeEvent(fx, task.id, row.nodeId, 'waiting', { version: row.version });
    }
  }

  /**
   * Finishes a task or subflow node with outputs mapped into task variables, and moves on. With
   * `claim`, the finishing write is a compare-and-set from those states at the row's version, and
   * nothing happens (false) when it loses.
   */
  async finishActivity(tx: SqlRunner, fx: Effects, task: Task, row: NodeRecord, def: FlowNode, data: { inputs?: JsonValue; outputs: Record<string, JsonValue>; pluginState?: null; errorIgnored?: boolean; error?: string }, claim?: Claim): Promise<boolean> {
    const { store } = this.deps;
    const patch: NodePatch = {
      ...claim?.patch,
      state: 'finished', finishedAt: Date.now(), outputs: data.outputs, leaseUntil: null, deadlineAt: null, wakeAt: null, waitKind: null,
      ...(data.inputs !== undefined ? { inputs: data.inputs as Record<string, JsonValue> } : {}), ...(data.pluginState === null ? { pluginState: null } : {}),
      errorIgnored: data.errorIgnored ?? false, error: data.error ?? null,
    };
    if (claim) {
      if (!(await store.casNode(task.id, row.nodeId, claim.from, row.version, patch, tx))) return false;
    } else {
      await store.patchNode(task.id, row.nodeId, patch, tx);
    }
    const mapping = 'outputs' in def && def.outputs ? def.outputs : {};
    const vars: Record<string, JsonValue> = {};
    for (const [from, to] of Object.entries(mapping)) if (from in data.outputs) vars[to] = data.outputs[from]!;
    await store.setVars(task.id, vars, tx);
    this.nodeEvent(fx, task.id, row.nodeId, 'finished', { version: row.version, loop: row.loop });
    const run = this.graphs.get(task.id, () => task.graph);
    await this.advance(tx, fx, task, run, def, run.outgoing(def.id));
    return true;
  }

  /**
   * One attempt failed: retry after the interval while retries remain; then ignore, skip (a
   * fail-and-skip timeout) or fail the node and the task, as its error policy says.
   */
  async failAttempt(tx: SqlRunner, fx: Effects, task: Task, row: NodeRecord, def: FlowNode, message: string, opts: { timedOut?: boolean } = {}): Promise<void> {
    const { store } = this.deps;
    const policy = 'onError' in def ? def.onError ?? {} : {};
    const version = newId();
    const from = ['running', 'waiting', 'ready'] as const;
    // A subflow node that moves on from its child closes it: the child's row is locked first (see closeChild).
    const child = def.type === 'subflow' ? row.childTaskId : null;
    await lockChild(this, tx, child);
    // Locked, so no poll or callback claims the node before the writes below: a node waiting on one
    // (a timeout) leaves remote work whose plugin is asked to stop it, whatever the policy does next.
    const detail = await store.lockedNode(task.id, row.nodeId, tx);
    const work = detail && abandonedWork(detail, row.version, message);
    const close = (why: string) => closeChild(this, tx, fx, task, row.nodeId, child, why);
    // Each outcome claims the node from `row` first; the attempt is archived only then, so a failure
    // that lost to the attempt finishing (or to another failure) leaves no false history entry, and
    // concurrent ones wait on the row's lock instead of deadlocking over the insert (MySQL).
    let claimed: boolean;
    if (policy.retry && row.attempts <= policy.retry.times) {
      const wakeAt = Date.now() + policy.retry.intervalMs;
      claimed = await store.casNode(task.id, row.nodeId, from, row.version, { state: 'ready', version, wakeAt, error: message, leaseUntil: null, deadlineAt: null, waitKind: null }, tx);
      if (claimed) {
        fx.messages.push({ msg: { t: task.id, n: row.nodeId, v: version, k: 'run' }, delayMs: policy.retry.intervalMs });
        this.nodeEvent(fx, task.id, row.nodeId, 'ready', { version, loop: row.loop, error: message });
        await close(`it retries with a new child task after ${policy.retry.intervalMs} ms`);
      }
    } else if (policy.ignore) {
      claimed = await this.finishActivity(tx, fx, task, row, def, { outputs: { _result: false, _loop: row.loop }, errorIgnored: true, error: message }, { from });
      if (claimed) await close('its failure was ignored');
    } else if (opts.timedOut && policy.timeout?.action === 'fail-and-skip') {
      claimed = await store.casNode(task.id, row.nodeId, from, row.version, { state: 'skipped', version, finishedAt: Date.now(), error: message, leaseUntil: null, deadlineAt: null, waitKind: null }, tx);
      if (claimed) {
        this.nodeEvent(fx, task.id, row.nodeId, 'skipped', { version, error: message });
        await close('it was skipped after its timeout');
        const run = this.graphs.get(task.id, () => task.graph);
        await this.advance(tx, fx, task, run, def, run.outgoing(def.id));
      }
    } else {
      claimed = await this.failNode(tx, fx, task, row, message, from, false);
      // A child failing on its own stays open: reviving it revives the node. One cut off by the timeout does not.
      if (claimed && opts.timedOut) await close('it timed out');
    }
    if (!claimed) return;
    abandon(fx, work);
    await store.addHistory(task.id, row.nodeId, {
      loop: row.loop, retries: row.retries, attempts: row.attempts, state: opts.timedOut ? 'timeout' : 'failed', inputs: detail?.inputs ?? null,
      outputs: null, error: message, startedAt: row.startedAt ?? detail?.startedAt ?? null, finishedAt: Date.now(),
    }, tx);
  }

  /**
   * Fails the node and its task; the run goes into the node's history unless the caller archived it
   * already. False, with nothing written, when the node moved on from `row` meanwhile.
   */
  async failNode(tx: SqlRunner, fx: Effects, task: Task, row: NodeRecord, message: string, from: readonly ('ready' | 'running' | 'waiting')[], archive = true): Promise<boolean> {
    const version = newId();
    // The compare-and-set comes first: a stale failure archives nothing, and concurrent ones wait
    // on the row's lock instead of deadlocking over the history insert (MySQL). A failed node waits
    // for nothing, so a retry's running attempt never looks like a poll or callback to recovery.
    if (!(await this.deps.store.casNode(task.id, row.nodeId, from, row.version, { state: 'failed', version, finishedAt: Date.now(), error: message, leaseUntil: null, deadlineAt: null, wakeAt: null, waitKind: null }, tx))) return false;
    if (archive) {
      const detail = await this.deps.store.nodeDetail(task.id, row.nodeId, tx);
      await this.deps.store.addHistory(task.id, row.nodeId, { loop: row.loop, retries: row.retries, attempts: row.attempts, state: 'failed', inputs: detail?.inputs ?? null, outputs: null, error: message, startedAt: row.startedAt, finishedAt: Date.now() }, tx);
    }
    this.nodeEvent(fx, task.id, row.nodeId, 'failed', { version, error: message });
    await this.markTaskFailed(tx, fx, task, `node ${row.nodeId} failed: ${message}`);
    return true;
  }

  async markTaskFailed(tx: SqlRunner, fx: Effects, task: Task, error: string): Promise<void> {
    if (await this.deps.store.casTask(task.id, ['running'], { state: 'failed', error }, tx)) this.taskEvent(fx, task.id, 'failed', error);
    await this.notifyParent(tx, fx, task);
  }

  /**
   * Tells the subflow node that launched `task` (if it still waits for it) that its child task ended.
   * The wake-up is written with the end, so the sweeper sends it again should the message be lost
   * (a crash between the commit and the send): nothing else would ever move that node on.
   */
  async notifyParent(tx: SqlRunner, fx: Effects, task: Task): Promise<void> {
    if (!task.parentTaskId || !task.parentNodeId) return;
    const parentRow = await this.deps.store.node(task.parentTaskId, task.parentNodeId, tx);
    if (parentRow?.childTaskId !== task.id) return;
    await this.deps.store.casNode(task.parentTaskId, task.parentNodeId, ['waiting'], parentRow.version, { wakeAt: Date.now() }, tx);
    fx.messages.push({ msg: { t: task.parentTaskId, n: task.parentNodeId, v: parentRow.version, k: 'child' } });
  }

  /** An attempt ran past its timeout: stop it and apply the node's error policy. */
  async timeout(taskId: string, nodeId: string, version: string): Promise<void> {
    const loaded = await this.task(taskId);
    const row = await this.deps.store.node(taskId, nodeId);
    if (!loaded || !row || row.version !== version || (row.state !== 'running' && row.state !== 'waiting')) return;
    const def = loaded.run.node(nodeId);
    const seconds = 'onError' in def ? def.onError?.timeout?.seconds : undefined;
    // A subflow's child task is closed with the attempt (see failAttempt).
    await this.commit((tx, fx) => this.failAttempt(tx, fx, loaded.task, row, def, `timed out after ${seconds} s`, { timedOut: true }));
    if (row.waitKind === 'subflow') return;
    // Only this attempt: a retry may start before the abort reaches the process running the call.
    await this.abort(taskId, nodeId, version);
  }

  /**
   * Delivers a callback to a waiting plugin node (the caller checked version and state): its
   * outcome, `duplicate` when the node took the sender's `deliveryId` already, or undefined when
   * another callback holds the node.
   */
  async deliverCallback(task: Task, row: NodeRecord, def: TaskNode, data: JsonValue, deliveryId?: string): Promise<PluginOutcome | 'duplicate' | undefined> {
    return (await this.callPlugin(task, row, def, 'callback', { callbackData: data, inline: false, ...(deliveryId !== undefined ? { deliveryId } : {}) }))?.outcome;
  }

  // ---- subflows ----

  private async launchSubflow(task: Task, row: NodeRecord, def: FlowNode): Promise<void> {
    if (def.type !== 'subflow') return;
    let params: Record<string, JsonValue>;
    try {
      const scope = await this.scope(task);
      params = {};
      for (const [key, input] of Object.entries(def.params ?? {})) {
        const { value, render } = normalizeInput(input);
        params[key] = render ? ((await this.deps.sandbox.render(value, scope, { input: `param ${key}`, declared: declaredNames(task.graph) })) as JsonValue) : value;
      }
    } catch (err) {
      return this.launchFailed(task, row, def, (err as Error).message);
    }
    let prepared: PreparedChild;
    try {
      prepared = await this.deps.subflows.prepare(task, def, params);
    } catch (err) {
      return this.launchFailed(task, row, def, (err as Error).message);
    }
    await this.commit(async (tx, fx) => {
      const now = Date.now();
      // Its timeout bounds each attempt's child task, as it bounds a plugin call.
      const timeoutMs = def.onError?.timeout ? def.onError.timeout.seconds * 1000 : undefined;
      if (!(await this.deps.store.casNode(task.id, row.nodeId, ['ready'], row.version, { state: 'waiting', waitKind: 'subflow', startedAt: now, finishedAt: null, attempts: row.attempts + 1, inputs: params, deadlineAt: timeoutMs ? now + timeoutMs : null }, tx))) return;
      const child = await this.deps.subflows.insert(tx, prepared);
      await this.deps.store.patchNode(task.id, row.nodeId, { childTaskId: child.childId }, tx);
      fx.messages.push({ msg: { t: child.childId, n: child.startNode, v: child.startVersion, k: 'run' } });
      this.nodeEvent(fx, task.id, row.nodeId, 'waiting', { version: row.version });
      this.taskEvent(fx, child.childId, 'running');
      // A pause of this task that committed since the step began reaches the new child here; one
      // still to commit waits for this lock and then finds the child among those it pauses.
      if ((await this.deps.store.lockedTaskState(task.id, tx)) === 'paused' && (await this.deps.store.casTask(child.childId, ['running'], { state: 'paused' }, tx))) {
        this.taskEvent(fx, child.childId, 'paused');
      }
    });
  }

  /**
   * No child task could be built (a param failed to render, the template or a plugin is gone): the
   * attempt counts and fails under the node's error policy (ignore, auto-retry), as a failed child's does.
   */
  private async launchFailed(task: Task, row: NodeRecord, def: FlowNode, message: string): Promise<void> {
    const now = Date.now();
    // This attempt launched no child: the one the node names is a previous attempt's, closed already.
    const attempt: NodeRecord = { ...row, attempts: row.attempts + 1, startedAt: now, finishedAt: null, childTaskId: null };
    await this.commit(async (tx, fx) => {
      if (!(await this.deps.store.casNode(task.id, row.nodeId, ['ready'], row.version, { attempts: attempt.attempts, startedAt: now, finishedAt: null }, tx))) return;
      await this.failAttempt(tx, fx, task, attempt, def, message);
    });
  }

  /** The child task of a waiting subflow node finished or failed. */
  private async childEnded(task: Task, row: NodeRecord): Promise<void> {
    if (row.state !== 'waiting' || row.waitKind !== 'subflow' || !row.childTaskId) return;
    const child = await this.task(row.childTaskId);
    if (!child) return;
    const def = (await this.task(task.id))!.run.node(row.nodeId);
    await this.commit(async (tx, fx) => {
      // Read under the child's row lock: an operator reviving the child (a retry inside it) either
      // committed first, and it is running again, or waits for this failure and then revives the node.
      const childState = await this.deps.store.lockedTaskState(child.task.id, tx);
      if (childState === 'finished') {
        const vars = await this.deps.store.vars(child.task.id, tx);
        const outputs: Record<string, JsonValue> = { _result: true, _loop: row.loop };
        for (const key of child.task.graph.outputs ?? []) if (key in vars) outputs[key] = vars[key]!;
        await this.finishActivity(tx, fx, task, row, def, { outputs }, { from: ['waiting'] });
      } else if (childState === 'failed' || childState === 'revoked') {
        const reason = (await this.deps.store.task(child.task.id, tx))?.error ?? `subflow task ${childState}`;
        await this.failAttempt(tx, fx, task, row, def, `subflow task ${child.task.id} ${childState}: ${reason}`);
      } else {
        // The child runs again (an operator revived it): no wake-up is due until it ends once more.
        await this.deps.store.casNode(task.id, row.nodeId, ['waiting'], row.version, { wakeAt: null }, tx);
      }
    });
  }
}
