/**
 * The kinds of node the editor's palette offers, and how a fresh node of each kind looks.
 * DOM-free: shared by the palette, the canvas and the unit tests.
 */
import type { FlowNode, NodeType } from '@opsloom/core/model';

/** One entry of the plugin catalog, as the palette needs it (`GET /api/v1/plugins`). */
export interface PluginSummary {
  name: string;
  version: string;
  title: string;
  category: string;
  description?: string;
  /** JSON Schema of the plugin's inputs (an object schema). */
  inputs?: Record<string, unknown>;
  /** JSON Schema of the plugin's outputs. */
  outputs?: Record<string, unknown>;
}

/** A built-in node type as shown in the palette. */
export interface NodeKind {
  type: NodeType;
  label: string;
  /** One line on what the node does, for the palette's tooltip and screen readers. */
  hint: string;
  /** Short glyph drawn on the canvas. */
  glyph: string;
}

/** The eight node types in palette order. */
export const NODE_KINDS: readonly NodeKind[] = [
  { type: 'start', label: 'Start', hint: 'Where the flow begins (exactly one)', glyph: '▶' },
  { type: 'end', label: 'End', hint: 'Where a branch finishes', glyph: '■' },
  { type: 'task', label: 'Task', hint: 'Calls a plugin', glyph: '⚙' },
  { type: 'subflow', label: 'Subflow', hint: 'Runs another flow template', glyph: '↳' },
  { type: 'exclusive', label: 'Exclusive gateway', hint: 'Takes the one branch whose condition is true', glyph: '✕' },
  { type: 'parallel', label: 'Parallel gateway', hint: 'Runs every branch at once', glyph: '+' },
  { type: 'conditional-parallel', label: 'Conditional parallel', hint: 'Runs at once every branch whose condition is true', glyph: '◇' },
  { type: 'converge', label: 'Converge gateway', hint: 'Gathers branches back together', glyph: '⋈' },
];

/** The label of a node type. */
export function kindLabel(type: NodeType): string {
  return NODE_KINDS.find((k) => k.type === type)?.label ?? type;
}

/** True for the node types drawn as small round/diamond shapes rather than cards. */
export function isCompactKind(type: NodeType): boolean {
  return type !== 'task' && type !== 'subflow';
}

/**
 * A fresh node of `type` with id `id`; a task node gets the plugin (or an empty placeholder the
 * user must fill in) and default inputs from the plugin's schema.
 */
export function createNode(type: NodeType, id: string, plugin?: PluginSummary): FlowNode {
  switch (type) {
    case 'task':
      return {
        id, type, name: plugin?.title ?? 'New task',
        plugin: { name: plugin?.name ?? '', version: plugin?.version ?? '' },
        inputs: plugin ? defaultInputs(plugin.inputs) : {},
      };
    case 'subflow':
      return { id, type, name: 'New subflow', template: { id: '', version: 'latest' }, params: {} };
    default:
      return { id, type, name: kindLabel(type) } as FlowNode;
  }
}

function defaultInputs(schema: Record<string, unknown> | undefined): Record<string, never> {
  const out: Record<string, unknown> = {};
  const props = schema?.properties;
  if (props && typeof props === 'object') {
    for (const [key, prop] of Object.entries(props as Record<string, unknown>)) {
      if (prop && typeof prop === 'object' && 'default' in prop) out[key] = (prop as { default: unknown }).default;
    }
  }
  return out as Record<string, never>;
}

/** Groups plugins by category and filters them by a search text (name, title, category, description). */
export function groupPlugins(plugins: readonly PluginSummary[], search = ''): Map<string, PluginSummary[]> {
  const needle = search.trim().toLowerCase();
  const groups = new Map<string, PluginSummary[]>();
  for (const p of plugins) {
    const hay = `${p.name} ${p.title} ${p.category} ${p.description ?? ''}`.toLowerCase();
    if (needle && !hay.includes(needle)) continue;
    const key = p.category || 'Other';
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key)!.push(p);
  }
  for (const list of groups.values()) list.sort((a, b) => a.title.localeCompare(b.title));
  return new Map([...groups.entries()].sort(([a], [b]) => a.localeCompare(b)));
}
