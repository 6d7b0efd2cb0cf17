import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FlowGraph, GraphError } from '@opsloom/core/model';
import { problemsAfterEdit } from './edit-problems.js';

const graph: FlowGraph = {
  name: 'g', variables: {}, outputs: [],
  nodes: [{ id: 'start', type: 'start' }, { id: 'a', type: 'task', plugin: { name: '@x/sleep', version: '^1' }, inputs: { seconds: -5 } }, { id: 'b', type: 'task', plugin: { name: '@x/sleep', version: '^1' }, inputs: {} }, { id: 'end', type: 'end' }],
  flows: [{ id: 'f1', source: 'start', target: 'a' }, { id: 'f2', source: 'a', target: 'b' }, { id: 'f3', source: 'b', target: 'end' }],
};
const problems: GraphError[] = [
  { nodeId: 'a', rule: 'invalid_input', message: '@x/sleep: inputs.seconds must be >= 0' },
  { nodeId: 'b', rule: 'invalid_input', message: "@x/sleep: inputs must have required property 'seconds'" },
  { flowId: 'f2', rule: 'invalid_condition', message: 'flow f2' },
  { rule: 'start_count', message: 'a flow-wide problem' },
];

test('an edit drops the problems of the nodes and flows it changed, and keeps the others', () => {
  const fixed = { ...graph, nodes: graph.nodes.map((n) => (n.id === 'a' ? { ...n, inputs: { seconds: 5 } } : n)) } as FlowGraph;
  assert.deepEqual(problemsAfterEdit(problems, graph, fixed).map((p) => p.nodeId ?? p.flowId ?? p.rule), ['b', 'f2', 'start_count']);
  const rewired = { ...graph, flows: graph.flows.filter((f) => f.id !== 'f2') };
  assert.deepEqual(problemsAfterEdit(problems, graph, rewired).map((p) => p.nodeId ?? p.flowId ?? p.rule), ['a', 'b', 'start_count'], 'a removed flow takes its problem along');
  const moved = { ...graph, layout: { a: { x: 1, y: 2 } } };
  assert.equal(problemsAfterEdit(problems, graph, moved).length, 4, 'moving a node changes nothing a check found');
});
