import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateGraph } from '@opsloom/core/model';
import { addFlow, addNode, emptyGraph, moveNodes, nudgeNodes, removeElements, removeVariable, renameVariable, setFlowCondition, setVariable, toggleOutput, uniqueId } from './graph-edit.js';
import { copySelection, parseClipboard, pasteFragment } from './clipboard.js';
import { createNode } from './node-kinds.js';

test('edits return new graphs and never mutate their argument', () => {
  const g0 = emptyGraph('demo');
  const frozen = JSON.stringify(g0);
  const id = uniqueId(g0, 'task');
  const g1 = addNode(g0, createNode('task', id, { name: '@opsloom/plugin-echo', version: '1.0.0', title: 'Echo', category: 'Demo', inputs: { properties: { text: { type: 'string', default: 'hi' } } } }), { x: 300.4, y: 200 });
  const g2 = addFlow(addFlow(g1, { id: 'f1', source: 'start', target: id }), { id: 'f2', source: id, target: 'end' });
  assert.equal(JSON.stringify(g0), frozen);
  assert.deepEqual(g2.layout![id], { x: 300, y: 200 });
  assert.deepEqual((g2.nodes[2] as { inputs: unknown }).inputs, { text: 'hi' }, 'defaults come from the schema');
  assert.equal(validateGraph(g2).ok, true);
  const g3 = removeElements(g2, [id]);
  assert.equal(g3.flows.length, 0, 'flows touching a removed node go too');
  assert.equal(g3.layout![id], undefined);
  assert.equal(g2.flows.length, 2);
});

test('moving and nudging set positions, never below zero', () => {
  const g = moveNodes(emptyGraph(), { start: { x: 10, y: 20 } });
  assert.deepEqual(g.layout!.start, { x: 10, y: 20 });
  const n = nudgeNodes(g, ['start', 'end'], -30, 10);
  assert.deepEqual(n.layout!.start, { x: 0, y: 30 });
  assert.deepEqual(n.layout!.end, { x: 570, y: 210 });
});

test('a default flow clears the default mark of its siblings; conditions replace it', () => {
  let g = emptyGraph();
  g = addNode(g, createNode('exclusive', 'ex1'), { x: 0, y: 0 });
  g = addFlow(g, { id: 'a', source: 'ex1', target: 'end' });
  g = addFlow(g, { id: 'b', source: 'ex1', target: 'start' });
  g = setFlowCondition(g, 'a', 'default');
  g = setFlowCondition(g, 'b', 'default');
  assert.equal(g.flows.find((f) => f.id === 'a')!.default, undefined);
  assert.equal(g.flows.find((f) => f.id === 'b')!.default, true);
  g = setFlowCondition(g, 'b', { expression: 'x > 1', name: 'big' });
  assert.deepEqual(g.flows.find((f) => f.id === 'b'), { id: 'b', source: 'ex1', target: 'start', condition: { expression: 'x > 1', name: 'big' } });
});

test('variables: set, rename keeps order and outputs, remove drops the output', () => {
  let g = setVariable(emptyGraph(), 'a', { type: 'string', value: '1' });
  g = setVariable(g, 'b', { type: 'number', value: 2 });
  g = toggleOutput(g, 'a', true);
  g = renameVariable(g, 'a', 'alpha');
  assert.deepEqual(Object.keys(g.variables), ['alpha', 'b']);
  assert.deepEqual(g.outputs, ['alpha']);
  assert.equal(renameVariable(g, 'alpha', 'b'), g, 'renaming onto an existing key is refused');
  g = removeVariable(g, 'alpha');
  assert.deepEqual(g.outputs, []);
});

test('copy and paste gives fresh ids, keeps inner flows, shifts positions and skips the start event', () => {
  let g = emptyGraph();
  g = addNode(g, createNode('task', 'task1'), { x: 200, y: 100 });
  g = addFlow(addFlow(g, { id: 'f1', source: 'start', target: 'task1' }), { id: 'f2', source: 'task1', target: 'end' });
  const clip = copySelection(g, ['start', 'task1', 'end']);
  assert.deepEqual(clip.nodes.map((n) => n.id), ['end', 'task1']);
  assert.deepEqual(clip.flows.map((f) => f.id), ['f2']);
  const back = parseClipboard(JSON.stringify(clip));
  assert.ok(back);
  assert.equal(parseClipboard('{"hello":1}'), undefined);
  const { graph, nodeIds } = pasteFragment(g, back, { x: 40, y: 40 });
  assert.equal(nodeIds.length, 2);
  assert.equal(new Set(graph.nodes.map((n) => n.id)).size, graph.nodes.length, 'ids stay unique');
  const pastedFlow = graph.flows[graph.flows.length - 1]!;
  assert.ok(nodeIds.includes(pastedFlow.source) && nodeIds.includes(pastedFlow.target));
  const pastedTask = graph.nodes.find((n) => nodeIds.includes(n.id) && n.type === 'task')!;
  assert.deepEqual(graph.layout![pastedTask.id], { x: 240, y: 140 });
});
