import { roleAllows } from '../../auth/roles.js';
import { ForbiddenError } from '../../errors.js';
import { maskPasswords } from './password-mask.js';
import { z } from 'zod';
import { route, type Route } from '../../http/route.js';
import { iso, name, projectParams, queryInt } from '../../http/schemas.js';
import type { JsonValue } from '../../model/index.js';
import { ID_PATTERN } from '../../store/ids.js';
import type { TaskService } from './task-service.js';
import type { LogLine, NodeRecord, TaskHeader } from './task-types.js';

const taskParams = projectParams.extend({ taskId: z.string().min(1).max(64) });
const nodeParams = taskParams.extend({ nodeId: z.string().min(1).max(64) });
const logView = (l: LogLine) => ({ ...l, at: iso(l.at) });
const json = z.custom<JsonValue>(() => true);

const nodeView = (n: NodeRecord) => ({
  state: n.state, version: n.version, loop: n.loop, retries: n.retries, attempts: n.attempts, startedAt: iso(n.startedAt),
  finishedAt: iso(n.finishedAt), error: n.error, errorIgnored: n.errorIgnored, skipped: n.state === 'skipped', breakpoint: n.breakpoint,
  waiting: n.state === 'waiting' ? n.waitKind : null, childTaskId: n.childTaskId,
});
export const taskView = (t: TaskHeader) => ({
  id: t.id, name: t.name, state: t.state, templateId: t.templateId, templateVersion: t.templateVersion, createMethod: t.createMethod,
  createdBy: t.createdBy, createdAt: iso(t.createdAt), startedAt: iso(t.startedAt), finishedAt: iso(t.finishedAt), error: t.error,
  parentTaskId: t.parentTaskId, parentNodeId: t.parentNodeId,
});

/** Tasks: create, list, status tree, start / pause / resume / revoke. */
export function taskRoutes(tasks: TaskService): Route[] {
  const op = (id: string, verb: 'start' | 'pause' | 'resume' | 'revoke', summary: string) => route({
    id: `task.${verb}`, method: 'post', path: `/api/v1/projects/:projectId/tasks/:taskId/${verb}`, tag: 'tasks', auth: { project: 'operate' },
    summary, params: taskParams,
    async handler({ project, params, audit }) {
      await tasks[verb](project.id, params.taskId);
      audit({ kind: 'task', id: params.taskId });
      return { id: params.taskId, state: (await tasks.get(project.id, params.taskId)).state };
    },
  });
  return [
    route({
      id: 'task.create', method: 'post', path: '/api/v1/projects/:projectId/tasks', tag: 'tasks', auth: { project: 'operate' }, status: 201,
      summary: 'Create a task from a template version: variable values, optional nodes to exclude', params: projectParams,
      body: z.object({
        templateId: z.string().min(1).max(64), version: z.number().int().min(1).optional(), name: name.optional(),
        variables: z.record(z.string(), json).optional(), excludeNodes: z.array(z.string().max(64)).max(10_000).optional(),
      }),
      async handler({ project, caller, body, audit }) {
        const t = await tasks.create(project.id, caller.username, body);
        audit({ kind: 'task', id: t.id, detail: { templateId: t.templateId, version: t.templateVersion } });
        return taskView(t);
      },
    }),
    route({
      id: 'task.list', method: 'get', path: '/api/v1/projects/:projectId/tasks', tag: 'tasks', auth: { project: 'read' },
      summary: 'Tasks, newest first; page with ?before=<last id>', params: projectParams,
      query: z.object({ state: z.enum(['created', 'running', 'paused', 'failed', 'finished', 'revoked']).optional(), templateId: z.string().max(64).optional(), before: z.string().regex(ID_PATTERN, 'not a task id; page with the next value of the previous page').optional(), limit: queryInt(1, 500).default(50) }),
      async handler({ project, query }) {
        const rows = await tasks.list(project.id, query);
        return {
          items: rows.map((r: Record<string, unknown>) => ({
            id: r.id, name: r.name, state: r.state, templateId: r.template_id, templateVersion: r.template_version, createdBy: r.created_by,
            createMethod: r.create_method, createdAt: iso(r.created_at as number), startedAt: iso(r.started_at as number | null), finishedAt: iso(r.finished_at as number | null),
          })),
          next: rows.length === query.limit ? rows[rows.length - 1]!.id : null,
        };
      },
    }),
    route({
      id: 'task.get', method: 'get', path: '/api/v1/projects/:projectId/tasks/:taskId', tag: 'tasks', auth: { project: 'read' },
      summary: 'A task with its graph and the state of every node (one query, fast for 10,000 nodes)', params: taskParams,
      query: z.object({ graph: z.enum(['true', 'false']).default('true') }),
      async handler({ project, params, query }) {
        const { task, nodes } = query.graph === 'true' ? await tasks.status(project.id, params.taskId, true) : await tasks.status(project.id, params.taskId, false);
        return maskPasswords({
          ...taskView(task), variables: task.variables, ...('graph' in task ? { graph: task.graph } : {}),
          nodes: Object.fromEntries(nodes.map((n) => [n.nodeId, nodeView(n)])),
        }, await tasks.passwords(task.id));
      },
    }),
    route({
      id: 'task.variables', method: 'get', path: '/api/v1/projects/:projectId/tasks/:taskId/variables', tag: 'tasks', auth: { project: 'read' },
      summary: "The task's variables as they are now (node outputs mapped in), and its results: the values of the flow's declared outputs. Password variables show as ******",
      params: taskParams,
      handler: ({ project, params }) => tasks.variables(project.id, params.taskId),
    }),
    op('start', 'start', 'Start a created task (exactly once under concurrent calls)'),
    op('pause', 'pause', 'Pause: running nodes finish, nothing new starts, in its subflows\' child tasks too'),
    op('resume', 'resume', 'Resume a paused task and every paused task below it, subflows paused on their own included'),
    op('revoke', 'revoke', 'Revoke: running plugin calls are cancelled, nothing starts afterwards'),
  ];
}

/** Node details and operations. */
export function nodeRoutes(tasks: TaskService): Route[] {
  const base = '/api/v1/projects/:projectId/tasks/:taskId/nodes/:nodeId';
  const simple = (verb: string, summary: string, run: (p: { projectId: string; taskId: string; nodeId: string }, user: string) => Promise<unknown>) => route({
    id: `node.${verb}`, method: 'post', path: `${base}/${verb}`, tag: 'nodes', auth: { project: 'operate' }, summary, params: nodeParams,
    async handler({ project, params, caller, audit }) {
      await run({ ...params, projectId: project.id }, caller.username);
      audit({ kind: 'node', id: `${params.taskId}/${params.nodeId}` });
      return nodeView((await tasks.node(project.id, params.taskId, params.nodeId)).row);
    },
  });
  return [
    route({
      id: 'node.get', method: 'get', path: base, tag: 'nodes', auth: { project: 'read' }, params: nodeParams,
      summary: 'A node: its definition, rendered inputs, inputs replaced by a retry, outputs, history and logs',
      async handler({ project, params }) {
        const [d, secrets] = await Promise.all([tasks.nodeDetail(project.id, params.taskId, params.nodeId), tasks.passwords(params.taskId)]);
        return maskPasswords({
          id: params.nodeId, definition: d.def, ...nodeView(d.detail), inputs: d.detail.inputs, outputs: d.detail.outputs,
          // The node's inputs as an operator's retry replaced them (unrendered, null when none): what a next retry starts from.
          inputOverride: d.detail.inputOverride,
          history: d.history.map((h) => ({ ...h, startedAt: iso(h.startedAt), finishedAt: iso(h.finishedAt) })),
          logs: d.logs.lines.map(logView), earlierLogs: d.logs.more,
        }, secrets);
      },
    }),
    route({
      id: 'node.logs', method: 'get', path: `${base}/logs`, tag: 'nodes', auth: { project: 'read' }, params: nodeParams,
      summary: "A page of a node's log lines: before a line (earlier ones), after a line (newer ones, to follow it) or the newest",
      query: z.object({ before: queryInt(1, Number.MAX_SAFE_INTEGER).optional(), after: queryInt(0, Number.MAX_SAFE_INTEGER).optional(), limit: queryInt(1, 5000).default(1000) })
        .refine((q) => q.before === undefined || q.after === undefined, { message: 'give before or after, not both', path: ['before'] }),
      async handler({ project, params, query }) {
        const page = await tasks.nodeLogs(project.id, params.taskId, params.nodeId, query);
        return maskPasswords({ items: page.lines.map(logView), more: page.more }, await tasks.passwords(params.taskId));
      },
    }),
    route({
      id: 'node.retry', method: 'post', path: `${base}/retry`, tag: 'nodes', auth: { project: 'operate' }, params: nodeParams,
      summary: 'Retry a failed node, optionally with new inputs (new inputs need the role developer)', body: z.object({ inputs: z.record(z.string(), json).optional() }),
      async handler({ project, params, body, audit }) {
        // New inputs change what the node runs (a URL, a script, the secret it sends), as editing
        // its template does: an operator could otherwise point a secret-bearing call anywhere.
        // `inputs: {}` changes nothing: a retry as it is, open to an operator.
        const inputs = body.inputs && Object.keys(body.inputs).length > 0 ? body.inputs : undefined;
        if (inputs && !roleAllows(project.role, 'develop')) {
          throw new ForbiddenError('retrying with new inputs changes what the node runs, as editing its template does, and needs the project role developer; retry without inputs to run it again as it is');
        }
        await tasks.retry(project.id, params.taskId, params.nodeId, inputs);
        audit({ kind: 'node', id: `${params.taskId}/${params.nodeId}`, detail: { newInputs: Object.keys(inputs ?? {}) } });
        return nodeView((await tasks.node(project.id, params.taskId, params.nodeId)).row);
      },
    }),
    simple('skip', 'Skip a failed node (its outputs are not written)', (p) => tasks.skip(p.projectId, p.taskId, p.nodeId)),
    route({
      id: 'node.skip-gateway', method: 'post', path: `${base}/skip-gateway`, tag: 'nodes', auth: { project: 'operate' }, params: nodeParams,
      summary: 'Continue past a failed exclusive (one flow) or conditional-parallel (chosen flows) gateway',
      body: z.object({ flowIds: z.array(z.string().min(1).max(64)).min(1).max(100) }),
      async handler({ project, params, body, audit }) {
        await tasks.skipGateway(project.id, params.taskId, params.nodeId, body.flowIds);
        audit({ kind: 'node', id: `${params.taskId}/${params.nodeId}`, detail: { flowIds: body.flowIds } });
        return nodeView((await tasks.node(project.id, params.taskId, params.nodeId)).row);
      },
    }),
    simple('force-fail', 'Fail a running node now (its in-flight call is cancelled)', (p, user) => tasks.forceFail(p.projectId, p.taskId, p.nodeId, user)),
    route({
      id: 'node.callback', method: 'post', path: `${base}/callback`, tag: 'nodes', auth: { project: 'operate' }, params: nodeParams,
      summary: 'Deliver a callback to a waiting node; carries the node version it answers',
      body: z.object({
        version: z.string().min(1).max(64), data: json.optional(),
        // Names this delivery, so resending it (after a timeout on the sender's side) is refused as a duplicate instead of applied twice.
        id: z.string().min(1).max(128).optional(),
      }),
      async handler({ project, params, body, audit }) {
        const r = await tasks.callback(project.id, params.taskId, params.nodeId, body.version, body.data ?? null, body.id);
        audit({ kind: 'node', id: `${params.taskId}/${params.nodeId}` });
        return r;
      },
    }),
    route({
      id: 'node.approve', method: 'post', path: `${base}/approve`, tag: 'nodes', auth: { project: 'operate' }, params: nodeParams,
      summary: 'Approve or reject a waiting approval node as yourself; your project role must be one of its approverRoles',
      body: z.object({ decision: z.enum(['approve', 'reject']), comment: z.string().max(2000).default('') }),
      async handler({ project, params, caller, body, audit }) {
        const r = await tasks.approve(project.id, params.taskId, params.nodeId, { user: caller.username, role: project.role }, body.decision, body.comment);
        audit({ kind: 'node', id: `${params.taskId}/${params.nodeId}`, detail: { decision: body.decision } });
        return r;
      },
    }),
    route({
      id: 'node.breakpoint', method: 'post', path: `${base}/breakpoint`, tag: 'nodes', auth: { project: 'operate' }, params: nodeParams,
      summary: 'Set or clear a breakpoint: the task stops before this node runs', body: z.object({ enabled: z.boolean() }),
      async handler({ project, params, body, audit }) {
        await tasks.breakpoint(project.id, params.taskId, params.nodeId, body.enabled);
        audit({ kind: 'node', id: `${params.taskId}/${params.nodeId}`, detail: { breakpoint: body.enabled } });
        return nodeView((await tasks.node(project.id, params.taskId, params.nodeId)).row);
      },
    }),
    simple('continue', 'Let a node stopped at its breakpoint run', (p) => tasks.continue(p.projectId, p.taskId, p.nodeId)),
    simple('pause', 'Pause only the child task of a running subflow node', (p) => tasks.pauseSubflow(p.projectId, p.taskId, p.nodeId, true)),
    simple('resume', 'Resume the paused child task of a subflow node', (p) => tasks.pauseSubflow(p.projectId, p.taskId, p.nodeId, false)),
  ];
}
