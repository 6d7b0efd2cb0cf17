import type { Db } from '../../store/db.js';
import { DirectSql, type SqlRunner } from '../../store/direct-sql.js';
import { newId } from '../../store/ids.js';
import { slices } from '../../store/slices.js';
import type { FlowGraph, JsonValue } from '../../model/index.js';
import type { LogLine, NodeDetail, NodeHistoryEntry, NodeRecord, NodeState, Task, TaskHeader, TaskState } from './task-types.js';

type Tx = SqlRunner;

interface TaskRow {
  id: string; project_id: string; template_id: string | null; template_version: number | null; name: string; state: string;
  graph: string; variables: string; parent_task_id: string | null; parent_node_id: string | null; create_method: string;
  created_by: string; created_at: number; started_at: number | null; finished_at: number | null; error: string | null;
}
const n = (v: number | null | undefined) => (v === null || v === undefined ? null : Number(v));
const json = <T>(v: string | null | undefined): T | null => (v === null || v === undefined ? null : (JSON.parse(v) as T));

function toTask(r: TaskRow): Task {
  return { ...toHeader(r), graph: JSON.parse(r.graph) as FlowGraph };
}

function toHeader(r: Omit<TaskRow, 'graph'>): TaskHeader {
  return {
    id: r.id, projectId: r.project_id, templateId: r.template_id, templateVersion: n(r.template_version), name: r.name,
    state: r.state as TaskState, variables: JSON.parse(r.variables) as Record<string, JsonValue>,
    parentTaskId: r.parent_task_id, parentNodeId: r.parent_node_id, createMethod: r.create_method, createdBy: r.created_by,
    createdAt: Number(r.created_at), startedAt: n(r.started_at), finishedAt: n(r.finished_at), error: r.error,
  };
}

const TASK_HEADER_COLUMNS = ['id', 'project_id', 'template_id', 'template_version', 'name', 'state', 'variables', 'parent_task_id', 'parent_node_id',
  'create_method', 'created_by', 'created_at', 'started_at', 'finished_at', 'error'] as const;

/** Log rows per insert: under SQLite's 500 terms of a compound SELECT, and a packet of a few MB at most on MySQL. */
const LOG_ROWS_PER_INSERT = 100;

/** Columns of a node row without its large JSON payloads (status queries read only these). */
const NODE_COLUMNS = ['task_id', 'node_id', 'state', 'version', 'loop', 'retries', 'attempts', 'started_at', 'finished_at', 'updated_at',
  'error', 'error_ignored', 'breakpoint', 'breakpoint_passed', 'wait_kind', 'callback_multiple', 'wake_at', 'deadline_at', 'lease_until', 'expected', 'child_task_id'] as const;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- knex rows are untyped records
type NodeRow = Record<string, any>;

function toNode(r: NodeRow): NodeRecord {
  return {
    taskId: r.task_id, nodeId: r.node_id, state: r.state as NodeState, version: r.version, loop: Number(r.loop), retries: Number(r.retries),
    attempts: Number(r.attempts), startedAt: n(r.started_at), finishedAt: n(r.finished_at), updatedAt: Number(r.updated_at), error: r.error ?? null,
    errorIgnored: Boolean(r.error_ignored), breakpoint: Boolean(r.breakpoint), breakpointPassed: Boolean(r.breakpoint_passed),
    waitKind: r.wait_kind ?? null, callbackMultiple: Boolean(r.callback_multiple), wakeAt: n(r.wake_at), deadlineAt: n(r.deadline_at),
    leaseUntil: n(r.lease_until), expected: n(r.expected), childTaskId: r.child_task_id ?? null,
  };
}

function toDetail(r: NodeRow): NodeDetail {
  return { ...toNode(r), inputs: json(r.inputs), inputOverride: json(r.input_override), outputs: json(r.outputs), pluginState: json(r.plugin_state) };
}

/** {@link toNode} for a row read as an array of {@link NODE_COLUMNS}, in their order. */
function nodeFromValues(v: unknown[]): NodeRecord {
  const num = (x: unknown) => n(x as number | null);
  return {
    taskId: v[0] as string, nodeId: v[1] as string, state: v[2] as NodeState, version: v[3] as string, loop: Number(v[4]), retries: Number(v[5]),
    attempts: Number(v[6]), startedAt: num(v[7]), finishedAt: num(v[8]), updatedAt: Number(v[9]), error: (v[10] as string | null) ?? null,
    errorIgnored: Boolean(v[11]), breakpoint: Boolean(v[12]), breakpointPassed: Boolean(v[13]), waitKind: (v[14] as string | null) ?? null,
    callbackMultiple: Boolean(v[15]), wakeAt: num(v[16]), deadlineAt: num(v[17]), leaseUntil: num(v[18]), expected: num(v[19]),
    childTaskId: (v[20] as string | null) ?? null,
  };
}

/** The patchable fields of a node row, in domain names. */
export interface NodePatch {
  state?: NodeState; version?: string; loop?: number; retries?: number; attempts?: number; startedAt?: number | null;
  finishedAt?: number | null; error?: string | null; errorIgnored?: boolean; breakpoint?: boolean; breakpointPassed?: boolean;
  waitKind?: string | null; callbackMultiple?: boolean; wakeAt?: number | null; deadlineAt?: number | null; leaseUntil?: number | null;
  expected?: number | null; childTaskId?: string | null; inputs?: JsonValue | null; inputOverride?: JsonValue | null;
  outputs?: JsonValue | null; pluginState?: JsonValue | null;
}

const COLUMN: Record<keyof NodePatch, string> = {
  state: 'state', version: 'version', loop: 'loop', retries: 'retries', attempts: 'attempts', startedAt: 'started_at', finishedAt: 'finished_at',
  error: 'error', errorIgnored: 'error_ignored', breakpoint: 'breakpoint', breakpointPassed: 'breakpoint_passed', waitKind: 'wait_kind',
  callbackMultiple: 'callback_multiple', wakeAt: 'wake_at', deadlineAt: 'deadline_at', leaseUntil: 'lease_until', expected: 'expected',
  childTaskId: 'child_task_id', inputs: 'inputs', inputOverride: 'input_override', outputs: 'outputs', pluginState: 'plugin_state',
};
const JSON_FIELDS = new Set<keyof NodePatch>(['inputs', 'inputOverride', 'outputs', 'pluginState']);

/** Characters of an error kept: its column is a TEXT (64 KB on MySQL). */
const ERROR_CHARS = 8000;

/**
 * An error text cut to what its column holds. Messages quote templates' expressions and
 * conditions, so their length is the template author's; one the database refused would fail the
 * write that fails the node, every time, and leave it running.
 */
function bounded(error: string | null): string | null {
  return error !== null && error.length > ERROR_CHARS ? `${error.slice(0, ERROR_CHARS - 1)}…` : error;
}

function toRow(p: NodePatch): Record<string, unknown> {
  const row: Record<string, unknown> = { updated_at: Date.now() };
  for (const [k, v] of Object.entries(p) as [keyof NodePatch, unknown][]) {
    if (v === undefined) continue;
    row[COLUMN[k]] = JSON_FIELDS.has(k) && v !== null ? JSON.stringify(v) : k === 'error' ? bounded(v as string | null) : v;
  }
  return row;
}

const SELECT_NODE = `select ${NODE_COLUMNS.map((c) => `\`${c}\``).join(', ')} from \`task_nodes\` where \`task_id\` = ? and \`node_id\` = ?`;
const SELECT_NODES = `select ${NODE_COLUMNS.map((c) => `\`${c}\``).join(', ')} from \`task_nodes\` where \`task_id\` = ?`;
const SELECT_DETAIL = 'select * from `task_nodes` where `task_id` = ? and `node_id` = ?';
const SELECT_STEP = 'select `n`.*, `t`.`state` as `task_state` from `task_nodes` as `n` inner join `tasks` as `t` on `t`.`id` = `n`.`task_id` where `n`.`task_id` = ? and `n`.`node_id` = ?';

const TASK_STATE = 'select `state` from `tasks` where `id` = ?';

/** The step statements whose SQL differs between SQLite and MySQL / MariaDB. */
interface DialectSql {
  /** Locks the converge's node row until commit; none on SQLite, where a transaction is the only writer. */
  lockRow?: string;
  /** Reads a task's state and locks its row until commit; a plain read on SQLite, for the same reason. */
  lockTask: string;
  /** Reads a node's full row and locks it until commit; a plain read on SQLite, for the same reason. */
  lockNode: string;
  insertArrival: string;
  countArrivals: string;
  upsertVars(count: number): string;
}

function dialectSql(dialect: 'sqlite' | 'mysql'): DialectSql {
  const varsInsert = (count: number) => `insert into \`task_vars\` (\`task_id\`, \`key\`, \`value\`) values ${Array.from({ length: count }, () => '(?, ?, ?)').join(', ')}`;
  const count = 'select count(*) as `c` from `task_arrivals` where `task_id` = ? and `converge_id` = ?';
  if (dialect === 'sqlite') {
    return {
      lockTask: TASK_STATE,
      lockNode: SELECT_DETAIL,
      insertArrival: 'insert into `task_arrivals` (`task_id`, `converge_id`, `flow_id`) values (?, ?, ?) on conflict do nothing',
      countArrivals: count,
      upsertVars: (n) => `${varsInsert(n)} on conflict (\`task_id\`, \`key\`) do update set \`value\` = excluded.\`value\``,
    };
  }
  return {
    lockRow: 'select `version` from `task_nodes` where `task_id` = ? and `node_id` = ? for update',
    lockTask: `${TASK_STATE} for update`,
    lockNode: `${SELECT_DETAIL} for update`,
    insertArrival: 'insert ignore into `task_arrivals` (`task_id`, `converge_id`, `flow_id`) values (?, ?, ?)',
    countArrivals: `${count} for update`,
    upsertVars: (n) => `${varsInsert(n)} on duplicate key update \`value\` = values(\`value\`)`,
  };
}

/** An update of a node row's columns, guarded by a where clause; the SQL of each shape is built once. */
function nodeUpdate(row: Record<string, unknown>, guard: string): { sql: string; values: unknown[] } {
  const columns = Object.keys(row);
  return { sql: `update \`task_nodes\` set ${columns.map((c) => `\`${c}\` = ?`).join(', ')} where \`task_id\` = ? and \`node_id\` = ?${guard}`, values: columns.map((c) => row[c]) };
}

/**
 * Tasks, their node rows, variables, arrivals at converge gateways, history and logs. The
 * statements every step runs go through {@link DirectSql}; the rest through knex.
 */
export class TaskStore {
  private readonly sql: DirectSql;
  private readonly dialectSql: DialectSql;

  constructor(readonly db: Db) {
    this.sql = new DirectSql(db);
    this.dialectSql = dialectSql(this.sql.dialect);
  }

  transaction<T>(fn: (tx: SqlRunner) => Promise<T>): Promise<T> {
    return this.sql.transaction(this.db, fn);
  }

  /** Inserts a task with a pending row per node and its initial variables, in one transaction. */
  async insert(task: Task, vars: Record<string, JsonValue>, tx: Tx = this.db): Promise<void> {
    const now = Date.now();
    const run = async (t: Tx) => {
      await t('tasks').insert({
        id: task.id, project_id: task.projectId, template_id: task.templateId, template_version: task.templateVersion, name: task.name,
        state: task.state, graph: JSON.stringify(task.graph), variables: JSON.stringify(task.variables), parent_task_id: task.parentTaskId,
        parent_node_id: task.parentNodeId, create_method: task.createMethod, created_by: task.createdBy, created_at: task.createdAt, updated_at: now,
      });
      const rows = task.graph.nodes.map((node) => ({ task_id: task.id, node_id: node.id, state: 'pending', version: newId(), updated_at: now }));
      for (const part of slices(rows, 500)) await t('task_nodes').insert(part);
      const varRows = Object.entries(vars).map(([key, value]) => ({ task_id: task.id, key, value: JSON.stringify(value) }));
      for (const part of slices(varRows, 500)) await t('task_vars').insert(part);
    };
    if (tx === this.db) await this.db.transaction(run);
    else await run(tx);
  }

  async task(id: string, tx: Tx = this.db): Promise<Task | undefined> {
    const r = await tx<TaskRow>('tasks').where({ id }).first();
    return r && toTask(r);
  }

  /** A task without its graph, which a status query of a large task need not parse. */
  async header(id: string): Promise<TaskHeader | undefined> {
    const r = (await this.db('tasks').where({ id }).first(TASK_HEADER_COLUMNS)) as Omit<TaskRow, 'graph'> | undefined;
    return r && toHeader(r);
  }

  async startedAt(id: string): Promise<number | null> {
    const r = await this.db('tasks').where({ id }).first('started_at');
    return r?.started_at === null || r?.started_at === undefined ? null : Number(r.started_at);
  }

  async taskState(id: string, tx: Tx = this.db): Promise<TaskState | undefined> {
    const r = await this.sql.first<{ state: string }>(tx, TASK_STATE, [id]);
    return r?.state as TaskState | undefined;
  }

  /** The task's state, its row locked until `tx` commits: a concurrent change of that state waits for it. */
  async lockedTaskState(id: string, tx: Tx): Promise<TaskState | undefined> {
    const r = await this.sql.first<{ state: string }>(tx, this.dialectSql.lockTask, [id]);
    return r?.state as TaskState | undefined;
  }

  async listTasks(projectId: string, q: { state?: string; templateId?: string; before?: string; limit: number }) {
    const sql = this.db('tasks').where({ project_id: projectId }).whereNull('parent_task_id').orderBy('id', 'desc').limit(q.limit)
      .select('id', 'name', 'state', 'template_id', 'template_version', 'created_by', 'created_at', 'started_at', 'finished_at', 'create_method');
    if (q.state) sql.where('state', q.state);
    if (q.templateId) sql.where('template_id', q.templateId);
    if (q.before) sql.where('id', '<', q.before);
    return sql;
  }

  /** Compare-and-set on the task's state. */
  async casTask(id: string, from: readonly TaskState[], patch: { state: TaskState; startedAt?: number; finishedAt?: number | null; error?: string | null }, tx: Tx = this.db): Promise<boolean> {
    if (from.length === 0) return false;
    const row: Record<string, unknown> = { state: patch.state, updated_at: Date.now() };
    if (patch.startedAt !== undefined) row.started_at = patch.startedAt;
    if (patch.finishedAt !== undefined) row.finished_at = patch.finishedAt;
    if (patch.error !== undefined) row.error = bounded(patch.error);
    const columns = Object.keys(row);
    const sql = `update \`tasks\` set ${columns.map((c) => `\`${c}\` = ?`).join(', ')} where \`id\` = ? and \`state\` in (${from.map(() => '?').join(', ')})`;
    return (await this.sql.run(tx, sql, [...columns.map((c) => row[c]), id, ...from])) > 0;
  }

  async node(taskId: string, nodeId: string, tx: Tx = this.db): Promise<NodeRecord | undefined> {
    const r = await this.sql.first<NodeRow>(tx, SELECT_NODE, [taskId, nodeId]);
    return r && toNode(r);
  }

  async nodeDetail(taskId: string, nodeId: string, tx: Tx = this.db): Promise<NodeDetail | undefined> {
    const r = await this.sql.first<NodeRow>(tx, SELECT_DETAIL, [taskId, nodeId]);
    return r && toDetail(r);
  }

  /** The node's full row, locked until `tx` commits: a concurrent change of the row waits for it. */
  async lockedNode(taskId: string, nodeId: string, tx: Tx): Promise<NodeDetail | undefined> {
    const r = await this.sql.first<NodeRow>(tx, this.dialectSql.lockNode, [taskId, nodeId]);
    return r && toDetail(r);
  }

  /** What a step starts from, in one read: the node's full row and its task's state. */
  async step(taskId: string, nodeId: string): Promise<{ taskState: TaskState; node: NodeDetail } | undefined> {
    const r = await this.sql.first<NodeRow>(this.db, SELECT_STEP, [taskId, nodeId]);
    return r && { taskState: r.task_state as TaskState, node: toDetail(r) };
  }

  /** Every node of a task without payloads: one indexed range read, fast for 10,000 nodes. */
  async nodes(taskId: string, tx: Tx = this.db): Promise<NodeRecord[]> {
    return (await this.sql.rows(tx, SELECT_NODES, [taskId])).map(nodeFromValues);
  }

  /**
   * Compare-and-set on a node: applies `patch` only if the node is in one of `from` (and carries
   * `version` when given). This guard is what makes replayed messages and stale callbacks harmless.
   */
  async casNode(taskId: string, nodeId: string, from: readonly NodeState[], version: string | undefined, patch: NodePatch, tx: Tx = this.db): Promise<boolean> {
    if (from.length === 0) return false;
    const guard = ` and \`state\` in (${from.map(() => '?').join(', ')})${version !== undefined ? ' and `version` = ?' : ''}`;
    const { sql, values } = nodeUpdate(toRow(patch), guard);
    return (await this.sql.run(tx, sql, [...values, taskId, nodeId, ...from, ...(version !== undefined ? [version] : [])])) > 0;
  }

  async patchNode(taskId: string, nodeId: string, patch: NodePatch, tx: Tx = this.db): Promise<void> {
    const { sql, values } = nodeUpdate(toRow(patch), '');
    await this.sql.run(tx, sql, [...values, taskId, nodeId]);
  }

  /** Task variables as a plain object. */
  async vars(taskId: string, tx: Tx = this.db): Promise<Record<string, JsonValue>> {
    const rows = await this.sql.rows(tx, 'select `key`, `value` from `task_vars` where `task_id` = ?', [taskId]);
    return Object.fromEntries(rows.map(([key, value]) => [key as string, JSON.parse(value as string) as JsonValue]));
  }

  async setVars(taskId: string, values: Record<string, JsonValue>, tx: Tx = this.db): Promise<void> {
    const entries = Object.entries(values);
    if (entries.length === 0) return;
    const params = entries.flatMap(([key, value]) => [taskId, key, JSON.stringify(value)]);
    await this.sql.run(tx, this.dialectSql.upsertVars(entries.length), params);
  }

  /** Removes variables: an expression reading one then fails as reading a variable without a value. */
  async deleteVars(taskId: string, keys: string[], tx: Tx = this.db): Promise<void> {
    if (keys.length > 0) await tx('task_vars').where({ task_id: taskId }).whereIn('key', keys).delete();
  }

  /**
   * Records a token's arrival at a converge gateway (once per flow) and returns how many have
   * arrived. The converge's row is locked first, so branches finishing at the same moment in
   * different transactions count one after the other and exactly one of them sees the last arrival.
   * (SQLite has one writer at a time, so there the transaction itself is the lock.)
   */
  async arrive(taskId: string, convergeId: string, flowId: string, tx: Tx): Promise<number> {
    const { lockRow, insertArrival, countArrivals } = this.dialectSql;
    if (lockRow) await this.sql.first(tx, lockRow, [taskId, convergeId]);
    await this.sql.run(tx, insertArrival, [taskId, convergeId, flowId]);
    const r = await this.sql.first<{ c: number | string }>(tx, countArrivals, [taskId, convergeId]);
    return Number(r?.c ?? 0);
  }

  async resetArrivals(taskId: string, convergeId: string, tx: Tx): Promise<void> {
    await this.sql.run(tx, 'delete from `task_arrivals` where `task_id` = ? and `converge_id` = ?', [taskId, convergeId]);
  }

  /** True when the node took a callback its sender named `deliveryId` (see migration 021). */
  async delivered(taskId: string, nodeId: string, deliveryId: string): Promise<boolean> {
    return (await this.db('task_callback_deliveries').where({ task_id: taskId, node_id: nodeId, delivery_id: deliveryId }).first('delivered_at')) !== undefined;
  }

  async addDelivery(taskId: string, nodeId: string, deliveryId: string, tx: Tx = this.db): Promise<void> {
    await tx('task_callback_deliveries').insert({ task_id: taskId, node_id: nodeId, delivery_id: deliveryId, delivered_at: Date.now() });
  }

  async addHistory(taskId: string, nodeId: string, e: NodeHistoryEntry, tx: Tx = this.db): Promise<void> {
    await tx('task_node_history').insert({
      task_id: taskId, node_id: nodeId, loop: e.loop, retries: e.retries, attempts: e.attempts, state: e.state,
      inputs: e.inputs === null ? null : JSON.stringify(e.inputs), outputs: e.outputs === null ? null : JSON.stringify(e.outputs),
      error: bounded(e.error), started_at: e.startedAt, finished_at: e.finishedAt,
    });
  }

  async history(taskId: string, nodeId: string): Promise<NodeHistoryEntry[]> {
    const rows = await this.db('task_node_history').where({ task_id: taskId, node_id: nodeId }).orderBy('id');
    return rows.map((r: NodeRow) => ({
      loop: Number(r.loop), retries: Number(r.retries), attempts: Number(r.attempts), state: r.state, inputs: json(r.inputs),
      outputs: json(r.outputs), error: r.error, startedAt: n(r.started_at), finishedAt: n(r.finished_at),
    }));
  }

  async addLogs(taskId: string, nodeId: string, lines: { at: number; level: string; message: string }[], tx: Tx = this.db): Promise<void> {
    const rows = lines.map((l) => ({ task_id: taskId, node_id: nodeId, at: l.at, level: l.level.slice(0, 8), message: l.message.slice(0, 65_536) }));
    // In slices: SQLite refuses an insert of more than 500 rows (knex makes it one compound
    // SELECT), and a call may log 1,000 lines; the outcome's commit failed every time, so its
    // node stayed running and its plugin ran again after each lapsed lease.
    for (const part of slices(rows, LOG_ROWS_PER_INSERT)) await tx('task_logs').insert(part);
  }

  /**
   * A page of a node's log lines, oldest first, each with its sequence number. `after` pages
   * forward (newer lines, for following a node); otherwise the page ends before `before`, or is
   * the newest lines: a node's last lines say how it ended. `more`: further lines lie that way.
   */
  async logs(taskId: string, nodeId: string, page: { before?: number; after?: number; limit: number }): Promise<{ lines: LogLine[]; more: boolean }> {
    const q = this.db('task_logs').where({ task_id: taskId, node_id: nodeId });
    if (page.after !== undefined) q.where('id', '>', page.after).orderBy('id', 'asc');
    else {
      if (page.before !== undefined) q.where('id', '<', page.before);
      q.orderBy('id', 'desc');
    }
    const rows = await q.limit(page.limit + 1).select('id', 'at', 'level', 'message');
    const more = rows.length > page.limit;
    const lines = rows.slice(0, page.limit).map((r: { id: number; at: number; level: string; message: string }) => ({ seq: Number(r.id), at: Number(r.at), level: r.level, message: r.message }));
    return { lines: page.after !== undefined ? lines : lines.reverse(), more };
  }

  /** Nodes the sweeper must look at: ready ones not picked up, expired leases, due wake-ups and deadlines. */
  async due(now: number, staleReadyBefore: number, limit: number) {
    const q = this.dueQueries(now, staleReadyBefore, limit);
    const [ready, expired, wake, late] = await Promise.all([q.ready, q.expired, q.wake, q.late]);
    return { ready, expired, wake, late } as Record<'ready' | 'expired' | 'wake' | 'late', { task_id: string; node_id: string; version: string; state: string; wait_kind: string | null; attempts: number }[]>;
  }

  /** The sweeper's four queries, unrun. */
  dueQueries(now: number, staleReadyBefore: number, limit: number) {
    // Started work continues while a task is paused; only new nodes wait.
    // A cross join keeps task_nodes the outer loop on SQLite, so it is read through its index
    // instead of through every node of every running task; MySQL treats it as an inner join.
    const base = (states = ['running', 'failed', 'paused']) => this.db('task_nodes as n').joinRaw('cross join `tasks` as `t` on `t`.`id` = `n`.`task_id`').whereIn('t.state', states).limit(limit)
      .select('n.task_id', 'n.node_id', 'n.version', 'n.state', 'n.wait_kind', 'n.attempts');
    // States are written literally: SQLite picks a partial index only for a condition it can see (migration 010).
    return {
      ready: base(['running', 'failed']).whereRaw("`n`.`state` = 'ready'").where('n.updated_at', '<', staleReadyBefore).where((w) => w.whereNull('n.wake_at').orWhere('n.wake_at', '<=', now)),
      expired: base().whereRaw("`n`.`state` = 'running'").where('n.lease_until', '<', now),
      wake: base().whereRaw("`n`.`state` = 'waiting'").where('n.wake_at', '<=', staleReadyBefore),
      late: base().whereRaw("`n`.`state` in ('running', 'waiting')").where('n.deadline_at', '<=', now),
    };
  }

  /**
   * Subflow child tasks still active under a revoked parent: revoking a tree commits task by task,
   * so a process that stopped midway (or after closing a child, before its own children) leaves them.
   */
  async orphans(limit: number): Promise<string[]> {
    return this.db('tasks as c').join('tasks as p', 'p.id', 'c.parent_task_id')
      .whereIn('c.state', ['created', 'running', 'paused', 'failed']).where('p.state', 'revoked').limit(limit).pluck('c.id');
  }

  async childTasks(parentTaskId: string): Promise<{ id: string; state: string; parent_node_id: string }[]> {
    return this.db('tasks').where({ parent_task_id: parentTaskId }).select('id', 'state', 'parent_node_id');
  }
}
