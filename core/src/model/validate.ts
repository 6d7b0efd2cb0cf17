import type { FlowGraph } from './graph.js';
import type { GraphError } from './errors.js';
import { InvalidGraphError } from './errors.js';
import { analyzeBlocks } from './blocks.js';
import { analyzeTopology, indexGraph } from './topology.js';
import { checkDegrees } from './validate-degrees.js';
import { checkFields } from './validate-fields.js';
import { checkVariables } from './validate-variables.js';
import { checkNodeSettings } from './validate-nodes.js';
import type { ReferenceOptions } from './validate-references.js';
import { checkReferences } from './validate-references.js';
import { checkOutline, checkStructure } from './validate-structure.js';

/** Options of {@link validateGraph}. */
export interface ValidateOptions extends ReferenceOptions {
  /**
   * Says whether a plugin version exists: `true` it does, `false` it does not (an `unknown_plugin`
   * error), `undefined` cannot tell (accepted; e.g. the catalog is still loading).
   * Without it, plugin references are not checked.
   */
  resolvePlugin?: (name: string, version: string) => boolean | undefined;
  /** Further names expressions may use: project variables, or a parent flow's names. */
  knownVariables?: string[];
  /**
   * Keys of the project's constants: an expression reading `${_env_KEY}` for another key is an
   * `unknown_constant` error. Without it, `_env_*` names are not checked (the editor's offline
   * check; task creation, where a constant deleted since the save fails the node that reads it).
   */
  knownConstants?: string[];
  /**
   * The graph is a version saved earlier (task creation): skip the checks of what is written that
   * were added since versions were first saved (unknown fields, variable types), so an old version still runs.
   * @default false
   */
  savedVersion?: boolean;
}

/** The verdict of {@link validateGraph}. */
export interface ValidationResult {
  ok: boolean;
  errors: GraphError[];
}

/** The structure the engine runs on: gateway/converge pairs, loops and a forward order. */
export interface GraphAnalysis {
  /** Split gateway id → converge id (see {@link matchConverges}). */
  converges: Map<string, string>;
  /** Converge id → the parallel / conditional-parallel gateway whose forked branches it waits for. */
  joins: Map<string, string>;
  /** Ids of backward flows (loops). */
  backEdges: Set<string>;
  /** Node ids reachable from the start, in forward topological order. */
  order: string[];
  /** Structural errors (shape, ids, degrees, blocks); empty for a sound graph. */
  errors: GraphError[];
}

/**
 * Validates a flow graph received from outside (editor, API, import) and lists every problem
 * with the node / flow it concerns and a stable rule code.
 *
 * @example
 * const { ok, errors } = validateGraph(body.graph, { resolvePlugin: (n, v) => catalog.has(n, v) });
 * if (!ok) throw new ValidationError('invalid flow', errors.map((e) => ({ path: e.nodeId ?? e.flowId ?? '', message: e.message })));
 */
export function validateGraph(graph: unknown, opts: ValidateOptions = {}): ValidationResult {
  const outline = checkOutline(graph);
  if (outline.length > 0) return { ok: false, errors: outline };
  const normalized = normalizeGraph(graph as FlowGraph);
  const analysis = analyze(normalized);
  const written = opts.savedVersion ? [] : [...checkFields(normalized), ...checkVariables(normalized)];
  const errors = dedupe([...analysis.errors, ...written, ...checkReferences(normalized, opts)]);
  return { ok: errors.length === 0, errors };
}

/**
 * Structural analysis of a graph: what {@link validateGraph} checks minus plugins and variables,
 * plus what the engine needs to run it. Never throws; read `errors`.
 */
export function analyzeGraph(graph: FlowGraph): GraphAnalysis {
  const outline = checkOutline(graph);
  if (outline.length > 0) {
    return { converges: new Map(), joins: new Map(), backEdges: new Set(), order: [], errors: outline };
  }
  return analyze(normalizeGraph(graph));
}

/**
 * Pairs every split gateway with the converge gateway that gathers its branches: each parallel and
 * conditional-parallel gateway with its one converge, each exclusive gateway with the first converge
 * its branches meet at (exclusive gateways whose branches all go to end events have none).
 *
 * @throws {InvalidGraphError} when the graph is structurally invalid.
 * @example
 * matchConverges(graph).get('parallel_1') // 'converge_1'
 */
export function matchConverges(graph: FlowGraph): Map<string, string> {
  const analysis = analyzeGraph(graph);
  if (analysis.errors.length > 0) throw new InvalidGraphError(analysis.errors);
  return analysis.converges;
}

function analyze(graph: FlowGraph): GraphAnalysis {
  const index = indexGraph(graph);
  const errors: GraphError[] = [...checkStructure(graph, index)];
  for (const node of index.nodes.values()) errors.push(...checkNodeSettings(node));
  const starts = graph.nodes.filter((n) => n.type === 'start');
  const topology = starts.length === 1 ? analyzeTopology(index, starts[0]!.id) : undefined;
  errors.push(...checkDegrees(index, topology));
  if (!topology) return { converges: new Map(), joins: new Map(), backEdges: new Set(), order: [], errors: dedupe(errors) };
  const blocks = analyzeBlocks(index, topology);
  errors.push(...blocks.errors);
  return { converges: blocks.converges, joins: blocks.joins, backEdges: topology.backEdges, order: topology.order, errors: dedupe(errors) };
}

function normalizeGraph(graph: FlowGraph): FlowGraph {
  return { ...graph, variables: graph.variables ?? {}, outputs: graph.outputs ?? [] };
}

function dedupe(errors: GraphError[]): GraphError[] {
  const seen = new Set<string>();
  return errors.filter((e) => {
    const key = `${e.rule}\u0000${e.nodeId ?? ''}\u0000${e.flowId ?? ''}\u0000${e.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
