/**
 * Copy and paste of a selection of nodes: the nodes, the flows between them, and their
 * positions; pasting gives every element a fresh id and shifts it so the copy is visible.
 */
import type { FlowEdge, FlowGraph, FlowNode, Position } from '@opsloom/core/model';
import { uniqueId } from './graph-edit.js';

/** What a copy puts on the clipboard (plain JSON, so it can go through the system clipboard too). */
export interface ClipboardContent {
  kind: 'opsloom/flow-fragment';
  nodes: FlowNode[];
  flows: FlowEdge[];
  layout: Record<string, Position>;
}

/** Copies the selected nodes and the flows that run between two of them. Start events are left out (a flow has one). */
export function copySelection(graph: FlowGraph, nodeIds: Iterable<string>): ClipboardContent {
  const ids = new Set(nodeIds);
  const nodes = graph.nodes.filter((n) => ids.has(n.id) && n.type !== 'start');
  const kept = new Set(nodes.map((n) => n.id));
  const flows = graph.flows.filter((f) => kept.has(f.source) && kept.has(f.target));
  const layout: Record<string, Position> = {};
  for (const id of kept) layout[id] = graph.layout?.[id] ?? { x: 0, y: 0 };
  return JSON.parse(JSON.stringify({ kind: 'opsloom/flow-fragment', nodes, flows, layout })) as ClipboardContent;
}

/** Reads clipboard text back; undefined when it is not a fragment we wrote. */
export function parseClipboard(text: string): ClipboardContent | undefined {
  try {
    const v = JSON.parse(text) as Partial<ClipboardContent>;
    if (v && v.kind === 'opsloom/flow-fragment' && Array.isArray(v.nodes) && Array.isArray(v.flows)) return v as ClipboardContent;
  } catch { /* not ours */ }
  return undefined;
}

/**
 * Adds a copy of the fragment to the graph with new ids, shifted by `offset`.
 * Returns the new graph and the ids of the pasted nodes (to select them).
 */
export function pasteFragment(graph: FlowGraph, fragment: ClipboardContent, offset: Position = { x: 40, y: 40 }): { graph: FlowGraph; nodeIds: string[] } {
  const rename = new Map<string, string>();
  const taken = new Set<string>();
  for (const n of fragment.nodes) {
    const id = uniqueId(graph, `${n.type === 'task' ? 'task' : n.type.replace(/-/g, '_')}_`, taken);
    taken.add(id);
    rename.set(n.id, id);
  }
  const nodes = fragment.nodes.map((n) => ({ ...structuredCloneJson(n), id: rename.get(n.id)! }));
  const flows = fragment.flows.map((f) => {
    const id = uniqueId(graph, 'f', taken);
    taken.add(id);
    return { ...structuredCloneJson(f), id, source: rename.get(f.source)!, target: rename.get(f.target)! };
  });
  const layout = { ...graph.layout };
  for (const n of fragment.nodes) {
    const p = fragment.layout[n.id] ?? { x: 0, y: 0 };
    layout[rename.get(n.id)!] = { x: p.x + offset.x, y: p.y + offset.y };
  }
  return {
    graph: { ...graph, nodes: [...graph.nodes, ...nodes], flows: [...graph.flows, ...flows], layout },
    nodeIds: nodes.map((n) => n.id),
  };
}

function structuredCloneJson<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}
