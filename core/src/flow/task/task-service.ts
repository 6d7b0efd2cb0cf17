import { NotFoundError, StateError, ValidationError } from '../../errors.js';
import { newId } from '../../store/ids.js';
import { normalizeInput, type FlowNode, type JsonValue, type TaskNode } from '../../model/index.js';
import type { Effects, FlowEngine } from '../engine/engine.js';
import { closeChild, closedReason, lockChild } from '../engine/subflow-closure.js';
import { abandon, lockedWaitingWork } from '../engine/abandoned-work.js';
import type { SqlRunner } from '../../store/direct-sql.js';
import type { TemplateService } from '../template/template-service.js';
import type { TaskFactory } from './task-factory.js';
import type { TaskStore } from './task-store.js';
import { type NodeRecord, type NodeState, type Task, type TaskHeader, type TaskState } from './task-types.js';
import { longestFirst, maskPasswords, passwordValues } from './password-mask.js';
import { assertApprover, isApproval } from './approval-node.js';

/** Log lines a node's detail carries: its newest; earlier ones are paged with {@link TaskService.nodeLogs}. */
const DETAIL_LOG_LINES = 1000;
/** How long a callback waits for earlier ones to the same node before it is refused as busy. */
const CALLBACK_WAIT_MS = 30_000;
/** Thrown when an operation does not fit the node's or task's current state; names both. */
const refuse = (what: string, why: string, code = 'operation_refused') => new StateError(`cannot ${what}: ${why}`, code);

/**
 * Tasks and every operation on them and their nodes (bk-sops' task and node commands).
 * Each operation checks state and flags first and answers with a clear refusal otherwise.
 */
export class TaskService {
  constructor(private readonly store: TaskStore, private readonly factory: TaskFactory, private readonly templates: TemplateService, private readonly engine: FlowEngine) {}

  /** Creates a task; `input.id` reserves its id beforehand (creating it twice then fails with a unique violation, not a second task). */
  async create(projectId: string, by: string, input: { templateId: string; version?: number; name?: string; variables?: Record<string, JsonValue>; excludeNodes?: string[]; createMethod?: string; id?: string }): Promise<Task> {
    const v = await this.templates.version(projectId, input.templateId, input.version);
    const { task, vars } = await this.factory.build({
      projectId, templateId: input.templateId, templateVersion: v.version, graph: v.graph,
      name: input.name ?? `${v.template.name} ${new Date().toISOString().slice(0, 19).replace('T', ' ')}`,
      variables: input.variables ?? {}, excludeNodes: input.excludeNodes ?? [], createdBy: by, createMethod: input.createMethod ?? 'api',
      ...(input.id ? { id: input.id } : {}),
    });
    await this.store.insert(task, vars);
    return task;
  }

  /** Checks variables and exclusions against a template version as {@link create} would, without creating a task. */
  async check(projectId: string, input: { templateId: string; version?: number; variables?: Record<string, JsonValue>; excludeNodes?: string[] }): Promise<void> {
    const v = await this.templates.version(projectId, input.templateId, input.version);
    this.factory.check(v.graph, input.variables ?? {}, input.excludeNodes ?? []);
  }

  async get(projectId: string, taskId: string): Promise<Task> {
    const t = await this.store.task(taskId);
    if (!t || t.projectId !== projectId) throw new NotFoundError('task', taskId);
    return t;
  }

  /** A task and every node's state; its graph only when asked for. */
  async status(projectId: string, taskId: string, withGraph: true): Promise<{ task: Task; nodes: NodeRecord[] }>;
  async status(projectId: string, taskId: string, withGraph: false): Promise<{ task: TaskHeader; nodes: NodeRecord[] }>;
  async status(projectId: string, taskId: string, withGraph: boolean) {
    const task = withGraph ? await this.store.task(taskId) : await this.store.header(taskId);
    if (!task || task.projectId !== projectId) throw new NotFoundError('task', taskId);
    return { task, nodes: await this.store.nodes(taskId) };
  }

  list(projectId: string, q: { state?: string; templateId?: string; before?: string; limit: number }) {
    return this.store.listTasks(projectId, q);
  }

  /** Starts a created task; exactly one of concurrent calls wins, the others are refused. */
  async start(projectId: string, taskId: string): Promise<void> {
    const task = await this.get(projectId, taskId);
    const loaded = (await this.engine.task(taskId))!;
    await this.engine.commit(async (tx, fx) => {
      if (!(await this.store.casTask(taskId, ['created'], { state: 'running', startedAt: Date.now() }, tx))) {
        const state = await this.store.taskState(taskId, tx);
        // One revoked before it ever started was not "already started".
        const never = state === 'revoked' && task.startedAt === null;
        throw refuse('start the task', `it is ${state}, and only a created task can start`, never ? 'operation_refused' : 'task_already_started');
      }
      const version = newId();
      await this.store.patchNode(taskId, loaded.run.start.id, { state: 'ready', version }, tx);
      fx.messages.push({ msg: { t: taskId, n: loaded.run.start.id, v: version, k: 'run' } });
      this.engine.taskEvent(fx, task.id, 'running');
    });
  }

  /**
   * Pauses: running nodes finish, nothing new starts. Its subflows' child tasks pause too, down the
   * tree (bk-sops: a subprocess is part of its parent's pipeline); pausing only a subflow is
   * {@link pauseSubflow}, which leaves the parent running.
   */
  async pause(projectId: string, taskId: string): Promise<void> {
    await this.get(projectId, taskId);
    // A pause cut short (its process stopped after the task, before the tasks below) is completed
    // by sending it again: a paused task goes on down its tree, and is refused only when nothing
    // below it was left to pause.
    let alreadyPaused = false;
    let below = 0;
    await this.engine.eachInTree(taskId, (id, root) => this.engine.commit(async (tx, fx) => {
      if (await this.store.casTask(id, ['running', 'failed'], { state: 'paused' }, tx)) {
        this.engine.taskEvent(fx, id, 'paused');
        if (!root) below++;
        return;
      }
      if (!root) return;
      const state = await this.store.taskState(id, tx);
      if (state !== 'paused') throw refuse('pause the task', `it is ${state}`);
      alreadyPaused = true;
    }));
    if (alreadyPaused && below === 0) throw refuse('pause the task', 'it is paused');
  }

  /**
   * Resumes a paused task and every paused task below it, a subflow paused on its own included:
   * resuming the pipeline resumes everything (bk-sops). A task with a failed node resumes as failed.
   * The tasks below go first and the task itself last: a resume cut short (its process stopped)
   * leaves the task paused, so sending it again resumes the rest, instead of leaving it running on a
   * child that stays paused and refusing to resume it.
   */
  async resume(projectId: string, taskId: string): Promise<void> {
    const task = await this.get(projectId, taskId);
    if (task.state !== 'paused') throw refuse('resume the task', `it is ${task.state}, not paused`);
    for (const child of await this.store.childTasks(taskId)) await this.engine.eachInTree(child.id, (id) => this.resumeOne(id, false), false);
    await this.resumeOne(taskId, true);
  }

  /** Resumes one paused task; for the task an operator resumed (`root`), one not paused is refused. */
  private async resumeOne(id: string, root: boolean): Promise<void> {
    const { task } = (await this.engine.task(id))!;
    await this.engine.commit(async (tx, fx) => {
      const nodes = await this.store.nodes(id, tx);
      const next: TaskState = nodes.some((n) => n.state === 'failed') ? 'failed' : 'running';
      if (!(await this.store.casTask(id, ['paused'], { state: next }, tx))) {
        if (root) throw refuse('resume the task', `it is ${await this.store.taskState(id, tx)}, not paused`);
        return;
      }
      for (const n of nodes) if (n.state === 'ready') this.engine.rerun(fx, id, n);
      this.engine.taskEvent(fx, id, next);
      // A node that failed while the task was paused fails the subflow node waiting for it now;
      // a task paused while failed, whose failed node was retried since, revives that node.
      if (next === 'failed') await this.engine.notifyParent(tx, fx, task);
      else await this.reviveParent(tx, fx, task);
    });
  }

  /** Revokes: in-flight plugin calls are cancelled, nothing starts afterwards, the task cannot resume. */
  async revoke(projectId: string, taskId: string): Promise<void> {
    await this.get(projectId, taskId);
    await this.engine.revokeTree(taskId, (state) => refuse('revoke the task', `it is already ${state}`));
  }

  async node(projectId: string, taskId: string, nodeId: string): Promise<{ task: Task; row: NodeRecord; def: FlowNode }> {
    const task = await this.get(projectId, taskId);
    const row = await this.store.node(taskId, nodeId);
    const def = task.graph.nodes.find((n) => n.id === nodeId);
    if (!row || !def) throw new NotFoundError('node', `${taskId}/${nodeId}`);
    return { task, row, def };
  }

  async nodeDetail(projectId: string, taskId: string, nodeId: string) {
    const { def } = await this.node(projectId, taskId, nodeId);
    const [detail, history, logs] = await Promise.all([this.store.nodeDetail(taskId, nodeId), this.store.history(taskId, nodeId), this.store.logs(taskId, nodeId, { limit: DETAIL_LOG_LINES })]);
    return { def, detail: detail!, history, logs };
  }

  /**
   * The values of the task's password variables, which every view of the task masks (see
   * password-mask.ts), and those of the tasks above it: a subflow's params come from its parent,
   * so a password passed down stays one whatever type the child gives it.
   */
  async passwords(taskId: string): Promise<string[]> {
    const task = (await this.engine.task(taskId))?.task;
    if (!task) return [];
    const own = Object.values(task.graph.variables ?? {}).some((v) => v.type === 'password') ? passwordValues(task.graph, task.variables, await this.store.vars(taskId)) : [];
    if (!task.parentTaskId) return own;
    return longestFirst([...own, ...(await this.passwords(task.parentTaskId))]);
  }

  /** The task's variables as they are now, and the values of the flow's declared outputs (its results). */
  async variables(projectId: string, taskId: string): Promise<{ variables: Record<string, JsonValue>; outputs: Record<string, JsonValue> }> {
    const task = await this.get(projectId, taskId);
    const vars = await this.store.vars(taskId);
    const outputs = Object.fromEntries((task.graph.outputs ?? []).filter((k) => Object.hasOwn(vars, k)).map((k) => [k, vars[k]!]));
    const secrets = await this.passwords(taskId);
    return { variables: maskPasswords(vars, secrets), outputs: maskPasswords(outputs, secrets) };
  }

  /** A page of a node's log lines (see {@link TaskStore.logs}). */
  async nodeLogs(projectId: string, taskId: string, nodeId: string, page: { before?: number; after?: number; limit: number }) {
    await this.node(projectId, taskId, nodeId);
    return this.store.logs(taskId, nodeId, page);
  }

  private assertNode(row: NodeRecord, states: NodeState[], what: string): void {
    if (!states.includes(row.state)) throw refuse(what, `node ${row.nodeId} is ${row.state} (needs ${states.join(' or ')})`);
  }

  /** Retries a failed node, optionally with new inputs (its history keeps the old run). */
  async retry(projectId: string, taskId: string, nodeId: string, inputs?: Record<string, JsonValue>): Promise<string> {
    const { task, row, def } = await this.node(projectId, taskId, nodeId);
    await this.assertOperable(task, 'retry the node');
    this.assertNode(row, ['failed'], 'retry the node');
    if ((def.type === 'task' || def.type === 'subflow') && def.retryable === false) throw refuse('retry the node', `node ${nodeId} is not retryable`, 'not_retryable');
    if (inputs && def.type !== 'task') throw new ValidationError('only task nodes take new inputs on retry');
    if (inputs && def.type === 'task') {
      const unknown = Object.keys(inputs).filter((k) => !Object.hasOwn(def.inputs, k));
      if (unknown.length) throw new ValidationError(`body.inputs: node ${nodeId} has no input ${unknown.join(', ')}`);
      // New literals the plugin would refuse are refused here, and the node stays failed and retryable.
      const previous = (await this.store.nodeDetail(taskId, nodeId))?.inputOverride ?? null;
      const problems = await this.templates.inputErrors({ ...def, inputs: mergeInputs(def, previous, inputs) });
      if (problems.length) throw new ValidationError(`body.inputs: ${problems.map((p) => p.message).join('; ')}`);
    }
    const version = newId();
    await this.engine.commit(async (tx, fx) => {
      const child = def.type === 'subflow' ? row.childTaskId : null;
      await lockChild(this.engine, tx, child);
      await this.assertOperable(task, 'retry the node', tx);
      // The failed run is in the history already (archived when it failed).
      const detail = await this.store.nodeDetail(taskId, nodeId, tx);
      // New inputs keep each original input's render flag, so `render: false` stays literal on retry.
      const override = inputs && def.type === 'task' ? mergeInputs(def, detail?.inputOverride ?? null, inputs) : undefined;
      if (!(await this.store.casNode(taskId, nodeId, ['failed'], row.version, { state: 'ready', version, retries: row.retries + 1, attempts: 0, error: null, wakeAt: null, ...(override ? { inputOverride: override } : {}) }, tx))) {
        throw refuse('retry the node', 'it changed meanwhile; reload and try again', 'stale_version');
      }
      // The retry launches a new child: the failed one must not be revived to run beside it.
      await closeChild(this.engine, tx, fx, task, nodeId, child, 'an operator retried the node, which launches a new child task');
      await this.refreshTaskState(tx, fx, taskId);
      fx.messages.push({ msg: { t: taskId, n: nodeId, v: version, k: 'run' } });
      this.engine.nodeEvent(fx, taskId, nodeId, 'ready', { version });
    });
    return version;
  }

  /**
   * Skips a failed activity, or a start event whose variables failed to render (bk-sops' skip_node):
   * it ends as skipped (outputs are not written; a start leaves the variables it would have rendered without a value) and the flow goes on.
   */
  async skip(projectId: string, taskId: string, nodeId: string): Promise<void> {
    const { task, row, def } = await this.node(projectId, taskId, nodeId);
    await this.assertOperable(task, 'skip the node');
    this.assertNode(row, ['failed'], 'skip the node');
    if (def.type === 'exclusive' || def.type === 'conditional-parallel') throw refuse('skip the node', `${def.type} gateways are skipped onto a chosen flow with skip-gateway`, 'use_skip_gateway');
    if (def.type !== 'task' && def.type !== 'subflow' && def.type !== 'start') throw refuse('skip the node', `a ${def.type} node cannot be skipped; retry it`);
    if ('skippable' in def && def.skippable === false) throw refuse('skip the node', `node ${nodeId} is not skippable`, 'not_skippable');
    const loaded = (await this.engine.task(taskId))!;
    await this.engine.commit(async (tx, fx) => {
      const child = def.type === 'subflow' ? row.childTaskId : null;
      await lockChild(this.engine, tx, child);
      await this.assertOperable(task, 'skip the node', tx);
      if (!(await this.store.casNode(taskId, nodeId, ['failed'], row.version, { state: 'skipped', version: newId(), finishedAt: Date.now() }, tx))) throw refuse('skip the node', 'it changed meanwhile', 'stale_version');
      this.engine.nodeEvent(fx, taskId, nodeId, 'skipped');
      // A skipped start renders nothing: its variables left holding `${…}` have no value, so a node
      // reading one fails saying so, instead of running with the expression's text (a script!).
      if (def.type === 'start') await this.store.deleteVars(taskId, this.engine.unrenderedVariables(task, await this.store.vars(taskId, tx)), tx);
      await closeChild(this.engine, tx, fx, task, nodeId, child, 'an operator skipped the node');
      await this.refreshTaskState(tx, fx, taskId);
      await this.engine.advance(tx, fx, task, loaded.run, def, loaded.run.outgoing(nodeId));
    });
  }

  /**
   * Continues past a failed exclusive gateway on one chosen flow, or a conditional-parallel one on
   * chosen flows (bk-sops' skip_exg / skip_cpg). The gateway ends as skipped, keeping the error that
   * failed it, so its view shows an operator passed it rather than that it chose those flows itself.
   */
  async skipGateway(projectId: string, taskId: string, nodeId: string, flowIds: string[]): Promise<void> {
    const { task, row, def } = await this.node(projectId, taskId, nodeId);
    await this.assertOperable(task, 'skip the gateway');
    this.assertNode(row, ['failed'], 'skip the gateway');
    if (def.type !== 'exclusive' && def.type !== 'conditional-parallel') throw refuse('skip the gateway', `${nodeId} is a ${def.type} node`);
    const loaded = (await this.engine.task(taskId))!;
    const out = loaded.run.outgoing(nodeId);
    const chosen = out.filter((f) => flowIds.includes(f.id));
    const unknown = flowIds.filter((id) => !out.some((f) => f.id === id));
    if (unknown.length) throw new ValidationError(`body.flowIds: ${unknown.join(', ')} ${unknown.length > 1 ? 'are not flows' : 'is not a flow'} leaving ${nodeId}`);
    if (chosen.length === 0 || (def.type === 'exclusive' && chosen.length !== 1)) throw new ValidationError(`body.flowIds: choose ${def.type === 'exclusive' ? 'exactly one flow' : 'at least one flow'} leaving ${nodeId}`);
    await this.engine.commit(async (tx, fx) => {
      await this.assertOperable(task, 'skip the gateway', tx);
      if (!(await this.store.casNode(taskId, nodeId, ['failed'], row.version, { state: 'skipped', version: newId(), finishedAt: Date.now() }, tx))) throw refuse('skip the gateway', 'it changed meanwhile', 'stale_version');
      this.engine.nodeEvent(fx, taskId, nodeId, 'skipped');
      await this.refreshTaskState(tx, fx, taskId);
      await this.engine.advance(tx, fx, task, loaded.run, def, chosen);
    });
  }

  /**
   * Fails a running or waiting activity now; its in-flight call is cancelled and its result ignored.
   * One ready again after a failed attempt, waiting out its retry interval, is under way as much.
   */
  async forceFail(projectId: string, taskId: string, nodeId: string, by: string): Promise<void> {
    const { task, row, def } = await this.node(projectId, taskId, nodeId);
    // Attempts count the current run's attempts (a retry or a loop starts from 0): a ready node with
    // one behind it waits for its next automatic attempt, which may be an hour away, ten times over.
    // Its failed attempt is in the history already: the forced failure adds none.
    const retrying = row.state === 'ready' && row.attempts > 0;
    if (!retrying) this.assertNode(row, ['running', 'waiting'], 'force-fail the node');
    if (def.type !== 'task' && def.type !== 'subflow') throw refuse('force-fail the node', `${nodeId} is a ${def.type} node`);
    const failed = await this.engine.commit(async (tx, fx) => {
      const child = def.type === 'subflow' ? row.childTaskId : null;
      await lockChild(this.engine, tx, child);
      // A node waiting on a poll or a callback has no call to abort: its plugin is asked to stop its work.
      const work = await lockedWaitingWork(this.engine, tx, taskId, nodeId, row.version, `forced to fail by ${by}`);
      if (!(await this.engine.failNode(tx, fx, task, row, `forced to fail by ${by}`, retrying ? ['ready'] : ['running', 'waiting'], !retrying))) return false;
      abandon(fx, work);
      await closeChild(this.engine, tx, fx, task, nodeId, child, `forced to fail by ${by}`);
      return true;
    });
    if (!failed) throw refuse('force-fail the node', 'it changed meanwhile; reload and try again', 'stale_version');
    await this.engine.abort(taskId, nodeId, row.version);
  }

  /**
   * Delivers a callback. Stale versions and callbacks to nodes not waiting for one are refused;
   * concurrent callbacks to the same node are serialised (each waits for the previous one). A
   * sender that names its delivery (`deliveryId`) may resend it safely: a node takes it once.
   */
  async callback(projectId: string, taskId: string, nodeId: string, version: string, data: JsonValue, deliveryId?: string): Promise<{ state: NodeState }> {
    const { def } = await this.node(projectId, taskId, nodeId);
    // An approval's decider comes from the authenticated caller (approve): data sent here could name anyone.
    if (isApproval(def)) throw refuse('call back the node', `node ${nodeId} is an approval node; decide with its approve operation`, 'use_approve');
    return this.#deliver(projectId, taskId, nodeId, version, data, { deliveryId });
  }

  /**
   * `deliveryId` names the delivery (see {@link callback}); `admit` vets it against the node as it
   * waits, just before the plugin gets it; `as` names the operation and what the node waits for in
   * refusals (an approver sent a decision, not a callback).
   */
  async #deliver(projectId: string, taskId: string, nodeId: string, version: string, data: JsonValue, opts: { deliveryId?: string | undefined; admit?: () => Promise<void>; as?: { what: string; awaited: string } } = {}): Promise<{ state: NodeState }> {
    const { deliveryId, admit } = opts;
    const { what, awaited } = opts.as ?? { what: 'call back the node', awaited: 'a callback' };
    const { task, def } = await this.node(projectId, taskId, nodeId);
    if (def.type !== 'task') throw refuse(what, `${nodeId} is a ${def.type} node`);
    // Said as it is: a late callback to a task that ended is not merely a stale version.
    await this.assertOperable(task, what);
    // An earlier callback's plugin call may run up to its time limit: wait for it with a backoff,
    // as long as an HTTP caller reasonably waits, then tell the caller to send it again.
    const until = Date.now() + CALLBACK_WAIT_MS;
    for (let pause = 10; Date.now() < until; pause = Math.min(pause * 2, 250)) {
      const row = (await this.store.node(taskId, nodeId))!;
      if (row.version !== version) throw refuse(what, `version ${version} is stale (the node is now at ${row.state} ${row.version})`, 'stale_version');
      if (row.state === 'running') { await new Promise((r) => setTimeout(r, pause)); continue; }
      if (row.state !== 'waiting' || row.waitKind !== 'callback') throw refuse(what, `node ${nodeId} is ${row.state}${row.waitKind ? ` (${row.waitKind})` : ''}, not waiting for ${awaited}`, 'not_waiting');
      await admit?.();
      const outcome = await this.engine.deliverCallback(task, row, def as TaskNode, data, deliveryId);
      if (!outcome) { pause = 5; continue; } // another callback claimed it first: wait for it, then re-check
      if (outcome === 'duplicate') throw refuse(what, `node ${nodeId} took the callback ${deliveryId} already`, 'duplicate_callback');
      return { state: (await this.store.node(taskId, nodeId))!.state };
    }
    throw refuse(what, `it stayed busy with earlier callbacks for ${CALLBACK_WAIT_MS / 1000} s; send this one again`, 'busy');
  }

  /**
   * Records an approval decision on a waiting approval node. The deciding user and their project
   * role are filled in here, from the authenticated caller — never taken from the request — and
   * the role must be one of the node's `approverRoles` (403 `not_an_approver` otherwise).
   */
  async approve(projectId: string, taskId: string, nodeId: string, decider: { user: string; role: string }, decision: 'approve' | 'reject', comment: string): Promise<{ state: NodeState }> {
    const { row, def } = await this.node(projectId, taskId, nodeId);
    if (!isApproval(def)) throw refuse('approve', `node ${nodeId} is not an approval node`, 'not_approval');
    // Checked once the node waits: only then are its inputs the ones rendered for this attempt.
    const admit = async () => assertApprover(nodeId, (await this.store.nodeDetail(taskId, nodeId))?.inputs, decider.role);
    return this.#deliver(projectId, taskId, nodeId, row.version, { decision, comment, user: decider.user, role: decider.role }, { admit, as: { what: 'approve the node', awaited: 'a decision' } });
  }

  /** Sets or clears a breakpoint (pause before the node runs). */
  async breakpoint(projectId: string, taskId: string, nodeId: string, enabled: boolean): Promise<void> {
    const { task, row, def } = await this.node(projectId, taskId, nodeId);
    if (task.state === 'finished' || task.state === 'revoked') throw refuse('set a breakpoint', `the task is ${task.state}`);
    if (def.type === 'subflow' || def.type === 'start') throw refuse('set a breakpoint', `breakpoints are not for ${def.type} nodes (pause a subflow with pause)`);
    if (enabled && !['pending', 'ready', 'finished', 'failed', 'skipped'].includes(row.state)) throw refuse('set a breakpoint', `node ${nodeId} is ${row.state}`);
    // Enabling arms it afresh: a node that passed a breakpoint before (continued, then failed)
    // stops again before its retry, as one that never had a breakpoint does.
    await this.store.patchNode(taskId, nodeId, enabled ? { breakpoint: true, breakpointPassed: false } : { breakpoint: false });
    if (enabled) return;
    // Read again after clearing: a node that stopped at it since the first read is released too. A
    // release that another clearing (a double click) or a continue got to first is no refusal:
    // the breakpoint is cleared and the node runs, as asked.
    const now = await this.store.node(taskId, nodeId);
    if (now?.state === 'suspended') await this.#release(taskId, nodeId, now.version);
  }

  /** Lets a node stopped at its breakpoint run. */
  async continue(projectId: string, taskId: string, nodeId: string): Promise<void> {
    const { row } = await this.node(projectId, taskId, nodeId);
    this.assertNode(row, ['suspended'], 'continue the node');
    if (!(await this.#release(taskId, nodeId, row.version))) throw refuse('continue the node', 'it changed meanwhile', 'stale_version');
  }

  /** Makes a node suspended at `version` ready to run; false when it was released (or moved on) meanwhile. */
  async #release(taskId: string, nodeId: string, version: string): Promise<boolean> {
    return this.engine.commit(async (tx, fx) => {
      if (!(await this.store.casNode(taskId, nodeId, ['suspended'], version, { state: 'ready', breakpointPassed: true }, tx))) return false;
      fx.messages.push({ msg: { t: taskId, n: nodeId, v: version, k: 'run' } });
      this.engine.nodeEvent(fx, taskId, nodeId, 'ready', { version });
      return true;
    });
  }

  /** Pauses or resumes only the child task of a running subflow node. */
  async pauseSubflow(projectId: string, taskId: string, nodeId: string, pause: boolean): Promise<void> {
    const { row, def } = await this.node(projectId, taskId, nodeId);
    if (def.type !== 'subflow') throw refuse(`${pause ? 'pause' : 'resume'} the subflow`, `${nodeId} is a ${def.type} node`);
    if (row.state !== 'waiting' || !row.childTaskId) throw refuse(`${pause ? 'pause' : 'resume'} the subflow`, `node ${nodeId} is ${row.state}`);
    if (pause) await this.pause(projectId, row.childTaskId);
    else await this.resume(projectId, row.childTaskId);
  }

  /**
   * Refuses operations on a finished or revoked task; one subflow child closed by its parent says
   * so. Inside `tx` the task's row is locked first, so the check holds until the operation commits
   * (a parent closing this child waits for it, or the operation for the closing).
   */
  private async assertOperable(task: Task, what: string, tx?: SqlRunner): Promise<void> {
    const state = tx ? await this.store.lockedTaskState(task.id, tx) : task.state;
    if (state !== 'revoked' && state !== 'finished') return;
    const closed = state === 'revoked' ? await closedReason(this.engine, task, tx) : undefined;
    if (closed) throw refuse(what, `task ${task.id} was ${closed}; operate task ${task.parentTaskId} instead`, 'subflow_closed');
    throw refuse(what, `the task is ${state}`);
  }

  /** A failed task returns to running once no node is failed any more, and revives its parent's subflow node. */
  private async refreshTaskState(tx: SqlRunner, fx: Effects, taskId: string): Promise<void> {
    const nodes = await this.store.nodes(taskId, tx);
    if (nodes.some((n) => n.state === 'failed')) return;
    if (!(await this.store.casTask(taskId, ['failed'], { state: 'running', error: null }, tx))) return;
    this.engine.taskEvent(fx, taskId, 'running');
    await this.reviveParent(tx, fx, (await this.engine.task(taskId))!.task);
  }

  /**
   * `child` runs again (an operator retried or skipped what failed it): the subflow node its failure
   * failed waits for it again, under a new version, and its task is refreshed in turn, up the chain
   * (bk-sops: a subprocess is part of its parent's tree). In the same transaction as the revival,
   * so the two commit together. A node still waiting for the child needs nothing. A parent that has
   * moved on from the child (a new child, skipped, ignored) or is revoked refuses the operation: the
   * child must not run on alone (such a child is normally closed already, see closeChild).
   */
  private async reviveParent(tx: SqlRunner, fx: Effects, child: Task): Promise<void> {
    const { parentTaskId: taskId, parentNodeId: nodeId } = child;
    if (!taskId || !nodeId) return;
    // The child's row is locked by its own revival, so a failure of this node that read the child
    // as failed (childEnded) has committed already and is seen here.
    const row = await this.store.node(taskId, nodeId, tx);
    if ((await this.store.taskState(taskId, tx)) === 'revoked') throw refuse('revive the subflow task', `its parent task ${taskId} is revoked`, 'parent_revoked');
    if (row?.childTaskId !== child.id || (row.state !== 'failed' && row.state !== 'waiting')) {
      throw refuse('revive the subflow task', `its subflow node ${nodeId} of task ${taskId} moved on from it (the node is ${row?.state}${row?.childTaskId !== child.id ? ` with child task ${row?.childTaskId}` : ''})`, 'subflow_closed');
    }
    const version = newId();
    if (!(await this.store.casNode(taskId, nodeId, ['failed'], row.version, { state: 'waiting', waitKind: 'subflow', version, error: null, finishedAt: null }, tx))) return;
    this.engine.nodeEvent(fx, taskId, nodeId, 'waiting', { version });
    await this.refreshTaskState(tx, fx, taskId);
  }
}

/** New input values in the form of the node's inputs: a `{value, render}` input keeps its render flag. */
function mergeInputs(def: TaskNode, previous: Record<string, JsonValue> | null, given: Record<string, JsonValue>): Record<string, JsonValue> {
  const out = new Map(Object.entries((previous ?? def.inputs) as Record<string, JsonValue>));
  for (const [k, v] of Object.entries(given)) {
    // A new value may come in the `{value, render: false}` form itself, as in a template.
    const input = normalizeInput(v);
    const literal = !input.render || !normalizeInput(def.inputs[k]!).render;
    out.set(k, literal ? { value: input.value, render: false } : input.value);
  }
  // Built from entries: an input named `__proto__` stays an input, not the object's prototype.
  return Object.fromEntries(out);
}
