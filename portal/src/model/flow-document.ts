/**
 * The flow file a person downloads and imports again: core's export document
 * (`opsloom.flow/v1`, `GET /templates/:id/export`), so a flow exported from the editor imports on
 * the flows list like one exported there.
 */
import type { FlowGraph } from '@opsloom/core/model';

/** The only format core's import accepts. */
export const FLOW_FORMAT = 'opsloom.flow/v1';

/** A flow file as core exports it and imports it (`source` only when it came from a saved version). */
export interface FlowDocument {
  format: typeof FLOW_FORMAT;
  name: string;
  description?: string | null;
  graph: FlowGraph;
  exportedAt: string;
  source?: { templateId: string; version: number };
}

/**
 * The export document of the graph in the editor.
 *
 * @example
 * flowDocument(graph, { description: 'nightly' }).format // 'opsloom.flow/v1'
 */
export function flowDocument(graph: FlowGraph, from: { description?: string | null; source?: { templateId: string; version: number } } = {}): FlowDocument {
  return {
    format: FLOW_FORMAT,
    name: graph.name,
    ...(from.description ? { description: from.description } : {}),
    graph,
    exportedAt: new Date().toISOString(),
    ...(from.source ? { source: from.source } : {}),
  };
}

/**
 * What to send to core's import for a file's parsed JSON: an export document as it is; a bare graph
 * (what the editor's Export JSON wrote before it wrote export documents) wrapped in one, named after
 * the graph or else the file.
 */
export function importBody(parsed: unknown, fileName: string): unknown {
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return parsed;
  const v = parsed as Partial<FlowGraph> & { format?: unknown };
  if (v.format !== undefined || !Array.isArray(v.nodes) || !Array.isArray(v.flows)) return parsed;
  const name = typeof v.name === 'string' && v.name.trim() ? v.name : fileName.replace(/(\.opsloom-flow)?\.json$/i, '') || 'Imported flow';
  return { format: FLOW_FORMAT, name, graph: { ...v, name } };
}
