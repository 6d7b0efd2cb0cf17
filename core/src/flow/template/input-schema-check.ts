import type { FlowGraph, GraphError, JsonValue } from '../../model/index.js';
import { literalInput } from '../expression/index.js';
import type { PluginGateway } from '../plugin-catalog.js';

/** Errors that leave a node's plugin or inputs unreadable: its inputs are not checked on top of them. */
const UNREADABLE = new Set(['invalid_node', 'invalid_shape', 'unknown_plugin']);

/**
 * Task nodes' inputs against their plugin's inputs schema, as far as a save can know them: a missing
 * required input, an unknown one the schema refuses, or a literal of the wrong type fails every run,
 * so it is refused at save (rule `invalid_input`). Inputs holding expressions are checked at run time.
 */
export async function inputSchemaErrors(nodes: FlowGraph['nodes'], plugins: PluginGateway, found: readonly GraphError[]): Promise<GraphError[]> {
  const unreadable = new Set(found.filter((e) => UNREADABLE.has(e.rule)).map((e) => e.nodeId));
  // One check per plugin and range, however many nodes use it (a 10,000-node flow may use one plugin).
  const byPlugin = new Map<string, { name: string; range: string; nodes: { id: string; known: Record<string, JsonValue>; open: Set<string> }[] }>();
  for (const node of nodes) {
    if (node?.type !== 'task' || unreadable.has(node.id) || typeof node.plugin?.name !== 'string' || typeof node.plugin.version !== 'string') continue;
    const inputs: unknown = node.inputs ?? {};
    if (inputs === null || typeof inputs !== 'object' || Array.isArray(inputs)) continue;
    const known: Record<string, JsonValue> = {};
    const open = new Set<string>();
    for (const [key, input] of Object.entries(inputs)) {
      const seen = literalInput(input as JsonValue);
      if ('literal' in seen) Object.defineProperty(known, key, { value: seen.literal, enumerable: true, writable: true, configurable: true });
      else open.add(key);
    }
    const { name, version: range } = node.plugin;
    const group = byPlugin.get(`${name}@${range}`) ?? { name, range, nodes: [] };
    byPlugin.set(`${name}@${range}`, group);
    group.nodes.push({ id: node.id, known, open });
  }
  const checks = [...byPlugin.values()].map(async ({ name, range, nodes: using }) => {
    const problems = await plugins.inputProblems(name, range, using);
    return using.flatMap((n, i) => problems[i]!.map((message): GraphError => ({ nodeId: n.id, rule: 'invalid_input', message: `${name}: ${message}` })));
  });
  return (await Promise.all(checks)).flat();
}
