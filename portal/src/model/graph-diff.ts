/**
 * The differences between two versions of a flow graph, for the version history's diff view:
 * nodes, flows and variables added, removed or changed (with the changed fields), and nodes
 * that only moved on the canvas.
 */
import type { FlowEdge, FlowGraph, FlowNode, VariableDef } from '@opsloom/core/model';

/** One changed element and the dotted paths of its changed fields (`inputs.script`, `condition`). */
export interface ChangedElement<T> {
  id: string;
  before: T;
  after: T;
  fields: string[];
}

/** Added, removed and changed elements of one kind. */
export interface ElementDiff<T> {
  added: T[];
  removed: T[];
  changed: ChangedElement<T>[];
}

/** The result of {@link diffGraphs}. */
export interface GraphDiff {
  name?: { before: string; after: string };
  nodes: ElementDiff<FlowNode>;
  flows: ElementDiff<FlowEdge>;
  variables: ElementDiff<{ key: string; def: VariableDef }>;
  outputs: { added: string[]; removed: string[] };
  /** Ids of nodes whose only change is their canvas position. */
  moved: string[];
  /** True when nothing but positions changed. */
  sameBehaviour: boolean;
}

/**
 * Compares `before` with `after`.
 *
 * @example
 * const d = diffGraphs(v1.graph, v2.graph);
 * d.nodes.changed[0].fields // ['inputs.script']
 */
export function diffGraphs(before: FlowGraph, after: FlowGraph): GraphDiff {
  const nodes = diffById(before.nodes, after.nodes, (n) => n.id, 2);
  const flows = diffById(before.flows, after.flows, (f) => f.id, 2);
  const vb = Object.entries(before.variables ?? {}).map(([key, def]) => ({ key, def }));
  const va = Object.entries(after.variables ?? {}).map(([key, def]) => ({ key, def }));
  const variables = diffById(vb, va, (v) => v.key, 3);
  const ob = new Set(before.outputs ?? []);
  const oa = new Set(after.outputs ?? []);
  const outputs = { added: [...oa].filter((k) => !ob.has(k)), removed: [...ob].filter((k) => !oa.has(k)) };
  const moved = after.nodes
    .filter((n) => before.nodes.some((m) => m.id === n.id))
    .filter((n) => !samePosition(before.layout?.[n.id], after.layout?.[n.id]))
    .map((n) => n.id);
  const diff: GraphDiff = { nodes, flows, variables, outputs, moved, sameBehaviour: false };
  if (before.name !== after.name) diff.name = { before: before.name, after: after.name };
  diff.sameBehaviour = !diff.name && isEmpty(nodes) && isEmpty(flows) && isEmpty(variables) &&
    outputs.added.length === 0 && outputs.removed.length === 0;
  return diff;
}

function isEmpty<T>(d: ElementDiff<T>): boolean {
  return d.added.length === 0 && d.removed.length === 0 && d.changed.length === 0;
}

function diffById<T>(before: T[], after: T[], id: (x: T) => string, depth: number): ElementDiff<T> {
  const old = new Map(before.map((x) => [id(x), x]));
  const neu = new Map(after.map((x) => [id(x), x]));
  const out: ElementDiff<T> = { added: [], removed: [], changed: [] };
  for (const [k, a] of neu) {
    const b = old.get(k);
    if (b === undefined) out.added.push(a);
    else {
      const fields = changedPaths(b, a, '', depth);
      if (fields.length > 0) out.changed.push({ id: k, before: b, after: a, fields });
    }
  }
  for (const [k, b] of old) if (!neu.has(k)) out.removed.push(b);
  return out;
}

/** Dotted paths where `a` and `b` differ, descending `depth` levels into objects. */
export function changedPaths(a: unknown, b: unknown, prefix = '', depth = 2): string[] {
  if (stableJson(a) === stableJson(b)) return [];
  if (depth === 0 || !isPlainObject(a) || !isPlainObject(b)) return [prefix || '(value)'];
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  return keys.flatMap((k) => changedPaths(a[k], b[k], prefix ? `${prefix}.${k}` : k, depth - 1));
}

/** JSON with object keys sorted, so that key order never counts as a change. */
export function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (isPlainObject(value)) {
    return `{${Object.keys(value).sort().filter((k) => value[k] !== undefined).map((k) => `${JSON.stringify(k)}:${stableJson(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'undefined';
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function samePosition(a: { x: number; y: number } | undefined, b: { x: number; y: number } | undefined): boolean {
  return (a?.x ?? null) === (b?.x ?? null) && (a?.y ?? null) === (b?.y ?? null);
}
