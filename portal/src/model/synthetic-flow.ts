/**
 * Builds large, valid flows for tests and the editor benchmark: a chain of tasks with parallel
 * blocks (gateway, branches of one task, converge) spread along it.
 */
import type { FlowEdge, FlowGraph, FlowNode } from '@opsloom/core/model';

/** Options of {@link syntheticFlow}. */
export interface SyntheticFlowOptions {
  /** Plain tasks on the main chain. */
  tasks: number;
  /** Parallel blocks on the main chain. */
  blocks: number;
  /** Branches per block (one task each). @default 3 */
  branches?: number;
}

/**
 * A valid flow. With `{ tasks: 248, blocks: 50 }` it has 500 nodes and 599 flows; with
 * `{ tasks: 247, blocks: 50, branches: 3 }` plus one wider block the counts can be tuned further.
 *
 * @example
 * const g = syntheticFlow({ tasks: 248, blocks: 50 }); // 500 nodes, 599 flows
 */
export function syntheticFlow(o: SyntheticFlowOptions): FlowGraph {
  const branches = o.branches ?? 3;
  const nodes: FlowNode[] = [{ id: 'start', type: 'start', name: 'Start' }];
  const flows: FlowEdge[] = [];
  let prev = 'start';
  let f = 0;
  const link = (source: string, target: string): void => {
    f += 1;
    flows.push({ id: `f${f}`, source, target });
  };
  const task = (id: string): FlowNode => ({ id, type: 'task', name: `Step ${id}`, plugin: { name: '@opsloom/plugin-demo', version: '1.0.0' }, inputs: { message: `hello from ${id}` } });
  const every = o.blocks > 0 ? Math.max(1, Math.floor(o.tasks / o.blocks)) : Infinity;
  let blocks = 0;
  for (let t = 1; t <= o.tasks || blocks < o.blocks; t++) {
    if (t <= o.tasks) {
      nodes.push(task(`t${t}`));
      link(prev, `t${t}`);
      prev = `t${t}`;
    }
    if (blocks < o.blocks && (t % every === 0 || t >= o.tasks)) {
      blocks += 1;
      const gw = `par${blocks}`;
      const cv = `conv${blocks}`;
      nodes.push({ id: gw, type: 'parallel', name: `Fan out ${blocks}` });
      link(prev, gw);
      for (let b = 1; b <= branches; b++) {
        const id = `b${blocks}_${b}`;
        nodes.push(task(id));
        link(gw, id);
        link(id, cv);
      }
      nodes.push({ id: cv, type: 'converge', name: `Gather ${blocks}` });
      prev = cv;
    }
  }
  nodes.push({ id: 'end', type: 'end', name: 'End' });
  link(prev, 'end');
  return { name: `synthetic ${nodes.length} nodes`, nodes, flows, variables: {}, outputs: [] };
}
