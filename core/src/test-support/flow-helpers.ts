import assert from 'node:assert/strict';
import type { FlowEdge, FlowGraph, FlowNode } from '../model/index.js';
import type { ApiClient } from './test-server.js';

/** Builds a graph from nodes and `[source, target]` pairs (flow ids f1, f2 … or given as a third element). */
export function graph(name: string, nodes: FlowNode[], links: ([string, string] | [string, string, Partial<FlowEdge>])[], variables: FlowGraph['variables'] = {}, outputs: string[] = []): FlowGraph {
  const flows = links.map(([source, target, extra], i) => ({ id: extra?.id ?? `f${i + 1}`, source, target, ...(extra ?? {}) }));
  return { name, nodes, flows, variables, outputs };
}

export const start = (id = 'start'): FlowNode => ({ id, type: 'start' });
export const end = (id = 'end'): FlowNode => ({ id, type: 'end' });
export const task = (id: string, plugin: string, inputs: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): FlowNode =>
  ({ id, type: 'task', plugin: { name: plugin, version: '^1.0.0' }, inputs, ...extra }) as FlowNode;
export const gateway = (id: string, type: 'exclusive' | 'parallel' | 'conditional-parallel' | 'converge', extra: Record<string, unknown> = {}): FlowNode =>
  ({ id, type, ...extra }) as FlowNode;

export interface TaskView {
  id: string;
  name: string;
  state: string;
  error: string | null;
  nodes: Record<string, { state: string; version: string; loop: number; retries: number; attempts: number; error: string | null; errorIgnored: boolean; waiting: string | null; childTaskId: string | null; startedAt: string | null; finishedAt: string | null }>;
}

/** A project-scoped flow client: create templates and tasks, run them, wait for states. */
export function flows(api: ApiClient, project: string) {
  const base = `/api/v1/projects/${project}`;
  const ok = <T>(r: { status: number; body: T }, expected = [200, 201, 204]) => {
    assert.ok(expected.includes(r.status), `unexpected ${r.status}: ${JSON.stringify(r.body)}`);
    return r.body;
  };
  const self = {
    base,
    async template(g: FlowGraph): Promise<string> {
      return ok(await api.call<{ id: string }>('POST', `${base}/templates`, { name: g.name, graph: g })).id;
    },
    async create(templateId: string, body: Record<string, unknown> = {}): Promise<string> {
      return ok(await api.call<{ id: string }>('POST', `${base}/tasks`, { templateId, ...body })).id;
    },
    async run(g: FlowGraph, body: Record<string, unknown> = {}): Promise<string> {
      const id = await self.create(await self.template(g), body);
      ok(await api.call('POST', `${base}/tasks/${id}/start`));
      return id;
    },
    async get(taskId: string): Promise<TaskView> {
      return ok(await api.call<TaskView>('GET', `${base}/tasks/${taskId}?graph=false`));
    },
    async node(taskId: string, nodeId: string) {
      return ok(await api.call<Record<string, unknown> & { inputs: Record<string, unknown>; outputs: Record<string, unknown>; history: unknown[]; logs: unknown[] }>('GET', `${base}/tasks/${taskId}/nodes/${nodeId}`));
    },
    op(taskId: string, nodeId: string, verb: string, body?: unknown) {
      return api.call<Record<string, unknown>>('POST', `${base}/tasks/${taskId}/nodes/${nodeId}/${verb}`, body ?? {});
    },
    taskOp(taskId: string, verb: string) {
      return api.call<Record<string, unknown>>('POST', `${base}/tasks/${taskId}/${verb}`);
    },
    /** Polls the task until `until` holds (30 s at most, then fails with the last state). */
    async waitFor(taskId: string, until: (t: TaskView) => boolean, what = 'the expected state', timeoutMs = 30_000): Promise<TaskView> {
      const deadline = Date.now() + timeoutMs;
      let last: TaskView | undefined;
      while (Date.now() < deadline) {
        last = await self.get(taskId);
        if (until(last)) return last;
        await new Promise((r) => setTimeout(r, 20));
      }
      assert.fail(`task ${taskId} did not reach ${what}; last: ${JSON.stringify(last)}`);
    },
    waitState(taskId: string, state: string) {
      return self.waitFor(taskId, (t) => t.state === state, `state ${state}`);
    },
    waitNode(taskId: string, nodeId: string, state: string) {
      return self.waitFor(taskId, (t) => t.nodes[nodeId]?.state === state, `node ${nodeId} ${state}`);
    },
  };
  return self;
}
