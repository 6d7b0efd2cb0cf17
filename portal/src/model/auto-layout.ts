/**
 * Layered (Sugiyama-style) auto-layout, left to right: break cycles, assign layers by longest
 * path, route long flows through virtual nodes, order each layer by barycenters, then place rows
 * near their neighbours without overlap. Linear-ish in nodes + flows; no DOM.
 */
import type { FlowGraph, Position } from '@opsloom/core/model';

/** Options of {@link autoLayout}. */
export interface LayoutOptions {
  /** Distance between layers (columns), in canvas pixels. @default 200 */
  layerGap?: number;
  /** Distance between rows inside a layer. @default 110 */
  rowGap?: number;
  /** Top-left margin. @default 60 */
  margin?: number;
  /** Ordering sweeps (each goes down and up once). @default 4 */
  sweeps?: number;
}

interface LayoutNode {
  id: string;
  layer: number;
  order: number;
  y: number;
  up: number[];
  down: number[];
  real: boolean;
}

/**
 * Computes a position for every node of the graph.
 *
 * @example
 * const layout = autoLayout(graph);
 * graph = { ...graph, layout };
 */
export function autoLayout(graph: Pick<FlowGraph, 'nodes' | 'flows'>, options: LayoutOptions = {}): Record<string, Position> {
  const layerGap = options.layerGap ?? 200;
  const rowGap = options.rowGap ?? 110;
  const margin = options.margin ?? 60;
  const sweeps = options.sweeps ?? 4;

  const index = new Map<string, number>();
  graph.nodes.forEach((n, i) => index.set(n.id, i));
  const edges: [number, number][] = [];
  for (const f of graph.flows) {
    const s = index.get(f.source);
    const t = index.get(f.target);
    if (s !== undefined && t !== undefined && s !== t) edges.push([s, t]);
  }
  const n = graph.nodes.length;
  const acyclic = breakCycles(n, edges, graph.nodes.findIndex((x) => x.type === 'start'));
  const layers = assignLayers(n, acyclic);

  const nodes: LayoutNode[] = graph.nodes.map((x, i) => ({ id: x.id, layer: layers[i]!, order: 0, y: 0, up: [], down: [], real: true }));
  for (const [s, t] of acyclic) {
    let prev = s;
    for (let l = layers[s]! + 1; l < layers[t]!; l++) {
      const v = nodes.length;
      nodes.push({ id: '', layer: l, order: 0, y: 0, up: [], down: [], real: false });
      link(nodes, prev, v);
      prev = v;
    }
    link(nodes, prev, t);
  }

  const byLayer: number[][] = [];
  for (const i of initialOrder(nodes)) (byLayer[nodes[i]!.layer] ??= []).push(i);
  for (let l = 0; l < byLayer.length; l++) byLayer[l] ??= [];
  byLayer.forEach((layer) => layer.forEach((v, k) => { nodes[v]!.order = k; }));

  for (let s = 0; s < sweeps; s++) {
    for (let l = 1; l < byLayer.length; l++) reorder(nodes, byLayer[l]!, 'up');
    for (let l = byLayer.length - 2; l >= 0; l--) reorder(nodes, byLayer[l]!, 'down');
  }

  for (const layer of byLayer) layer.forEach((v, k) => { nodes[v]!.y = k * rowGap; });
  for (let pass = 0; pass < 3; pass++) {
    for (let l = 1; l < byLayer.length; l++) place(nodes, byLayer[l]!, 'up', rowGap);
    for (let l = byLayer.length - 2; l >= 0; l--) place(nodes, byLayer[l]!, 'down', rowGap);
  }

  let minY = Infinity;
  for (const v of nodes) if (v.real) minY = Math.min(minY, v.y);
  if (!Number.isFinite(minY)) minY = 0;
  const out: Record<string, Position> = {};
  for (const v of nodes) {
    if (v.real) out[v.id] = { x: margin + v.layer * layerGap, y: Math.round(margin + v.y - minY) };
  }
  return out;
}

function link(nodes: LayoutNode[], from: number, to: number): void {
  nodes[from]!.down.push(to);
  nodes[to]!.up.push(from);
}

/** Reverses the back edges found by a depth-first search (from the start event first). */
function breakCycles(n: number, edges: [number, number][], start: number): [number, number][] {
  const out: number[][] = Array.from({ length: n }, () => []);
  edges.forEach(([s], i) => out[s]!.push(i));
  const state = new Uint8Array(n); // 0 new, 1 on stack, 2 done
  const back = new Set<number>();
  const visit = (root: number): void => {
    const stack: [number, number][] = [[root, 0]];
    state[root] = 1;
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const [v, k] = top;
      if (k < out[v]!.length) {
        top[1] = k + 1;
        const e = out[v]![k]!;
        const t = edges[e]![1];
        if (state[t] === 1) back.add(e);
        else if (state[t] === 0) {
          state[t] = 1;
          stack.push([t, 0]);
        }
      } else {
        state[v] = 2;
        stack.pop();
      }
    }
  };
  if (start >= 0) visit(start);
  for (let v = 0; v < n; v++) if (state[v] === 0) visit(v);
  return edges.map(([s, t], i) => (back.has(i) ? [t, s] : [s, t]));
}

/** Longest-path layering over a DAG (Kahn's order). */
function assignLayers(n: number, edges: [number, number][]): number[] {
  const out: number[][] = Array.from({ length: n }, () => []);
  const indeg = new Array<number>(n).fill(0);
  for (const [s, t] of edges) {
    out[s]!.push(t);
    indeg[t]! += 1;
  }
  const layer = new Array<number>(n).fill(0);
  const queue: number[] = [];
  for (let v = 0; v < n; v++) if (indeg[v] === 0) queue.push(v);
  for (let head = 0; head < queue.length; head++) {
    const v = queue[head]!;
    for (const t of out[v]!) {
      layer[t] = Math.max(layer[t]!, layer[v]! + 1);
      indeg[t]! -= 1;
      if (indeg[t] === 0) queue.push(t);
    }
  }
  return layer;
}

/** Breadth-first order from the roots, so that siblings start next to each other. */
function initialOrder(nodes: LayoutNode[]): number[] {
  const seen = new Uint8Array(nodes.length);
  const order: number[] = [];
  for (let r = 0; r < nodes.length; r++) {
    if (seen[r] || nodes[r]!.up.length > 0) continue;
    seen[r] = 1;
    order.push(r);
    for (let head = order.length - 1; head < order.length; head++) {
      for (const t of nodes[order[head]!]!.down) {
        if (!seen[t]) {
          seen[t] = 1;
          order.push(t);
        }
      }
    }
  }
  for (let v = 0; v < nodes.length; v++) if (!seen[v]) order.push(v);
  return order;
}

function reorder(nodes: LayoutNode[], layer: number[], toward: 'up' | 'down'): void {
  const bary = new Map<number, number>();
  for (const v of layer) {
    const ns = toward === 'up' ? nodes[v]!.up : nodes[v]!.down;
    bary.set(v, ns.length === 0 ? nodes[v]!.order : ns.reduce((sum, u) => sum + nodes[u]!.order, 0) / ns.length);
  }
  layer.sort((a, b) => bary.get(a)! - bary.get(b)! || nodes[a]!.order - nodes[b]!.order);
  layer.forEach((v, k) => { nodes[v]!.order = k; });
}

/** Moves each node of a layer toward the mean y of its neighbours, keeping order and `gap`. */
function place(nodes: LayoutNode[], layer: number[], toward: 'up' | 'down', gap: number): void {
  if (layer.length === 0) return;
  const want = layer.map((v) => {
    const ns = toward === 'up' ? nodes[v]!.up : nodes[v]!.down;
    return ns.length === 0 ? nodes[v]!.y : ns.reduce((sum, u) => sum + nodes[u]!.y, 0) / ns.length;
  });
  // Push down from the top and up from the bottom, meet halfway, then restore the gap.
  const down = want.slice();
  for (let k = 1; k < down.length; k++) down[k] = Math.max(down[k]!, down[k - 1]! + gap);
  const up = want.slice();
  for (let k = up.length - 2; k >= 0; k--) up[k] = Math.min(up[k]!, up[k + 1]! - gap);
  const y = down.map((d, k) => (d + up[k]!) / 2);
  for (let k = 1; k < y.length; k++) y[k] = Math.max(y[k]!, y[k - 1]! + gap);
  layer.forEach((v, k) => { nodes[v]!.y = y[k]!; });
}
