import { conditionToExpression, forEachExpressionSite, parseTemplate, type FlowGraph, type GraphError } from '../../model/index.js';
import type { ExpressionSandbox } from '../expression/index.js';

/** The most distinct expressions of one graph that a save checks; those beyond it are checked when they run. */
export const MAX_SYNTAX_CHECKS = 5000;

/** What checks the syntax: the expression sandbox (the host process parses no expression itself). */
export type SyntaxChecker = Pick<ExpressionSandbox, 'checkSyntax'>;

interface Pending {
  at: { nodeId?: string; flowId?: string };
  /** The message up to the parser's words: the site and the expression as written. */
  prefix: string;
  source: string;
}

/**
 * `invalid_expression` errors for the expressions of `graph` that are not valid JavaScript:
 * `${…}` of inputs, params and variable values, and conditions (read as the engine reads them,
 * through `conditionToExpression`). The sandbox compiles them as evaluation would and runs none,
 * in one batch of at most {@link MAX_SYNTAX_CHECKS} distinct expressions. A site that already has
 * an error in `found` (a malformed `${`, an unknown variable) is skipped: one finding per site is
 * enough to send the author there. A graph without the outline of one (`nodes` and `flows`
 * arrays of objects) has none checked: the validator reports its shape first.
 *
 * @example
 * await expressionSyntaxErrors(graph, [], sandbox)
 * // [{ nodeId: 'a', rule: 'invalid_expression', message: 'node a input cmd: ${1+} is not valid JavaScript: Unexpected end of input' }]
 */
export async function expressionSyntaxErrors(graph: unknown, found: GraphError[], checker: SyntaxChecker): Promise<GraphError[]> {
  if (!hasOutline(graph)) return [];
  const pending: Pending[] = [];
  forEachExpressionSite(graph, (site) => {
    if (found.some((e) => e.message.startsWith(`${site.where}:`) || e.message.startsWith(`${site.where} (`))) return;
    const at = { ...(site.nodeId !== undefined ? { nodeId: site.nodeId } : {}), ...(site.flowId !== undefined ? { flowId: site.flowId } : {}) };
    if (site.kind === 'condition') {
      const { expression, error } = conditionToExpression(site.text);
      if (!error) pending.push({ at, prefix: `${site.where}: "${site.text}"`, source: expression });
      return;
    }
    for (const part of parseTemplate(site.text).parts) {
      if (part.kind === 'expression') pending.push({ at, prefix: `${site.where}: \${${part.expression}}`, source: part.expression });
    }
  });
  const sources = [...new Set(pending.map((p) => p.source))].slice(0, MAX_SYNTAX_CHECKS);
  if (sources.length === 0) return [];
  const messages = await checker.checkSyntax(sources);
  const problems = new Map(sources.map((s, i) => [s, messages[i]]));
  const errors: GraphError[] = [];
  for (const p of pending) {
    const problem = problems.get(p.source);
    if (problem !== undefined) errors.push({ ...p.at, rule: 'invalid_expression', message: `${p.prefix} is not valid JavaScript: ${problem}` });
  }
  return errors;
}

/** True when `forEachExpressionSite` can walk `graph`: node and flow arrays of objects. */
function hasOutline(graph: unknown): graph is FlowGraph {
  const g = graph as Partial<FlowGraph> | null;
  const objects = (list: unknown): boolean => Array.isArray(list) && list.every((x) => typeof x === 'object' && x !== null);
  return typeof g === 'object' && g !== null && objects(g.nodes) && objects(g.flows);
}
