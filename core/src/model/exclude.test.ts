import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FlowGraph } from './index.js';
import { excludeOptionalNodes, NodeNotOptionalError, UnknownNodeError, validateGraph } from './index.js';
import { build } from './test-graphs.js';

const optional = (...ids: string[]): Record<string, { optional: true }> =>
  Object.fromEntries(ids.map((id) => [id, { optional: true }]));

function edges(graph: FlowGraph): string[] {
  return graph.flows.map((f) => `${f.source}>${f.target}`).sort();
}

function nodes(graph: FlowGraph): string[] {
  return graph.nodes.map((n) => n.id).sort();
}

test('an excluded task in a sequence is bridged', () => {
  const graph = build(['start>a>b>c>end'], { nodes: optional('b') });
  graph.layout = { a: { x: 0, y: 0 }, b: { x: 1, y: 0 } };
  const out = excludeOptionalNodes(graph, ['b']);
  assert.deepEqual(edges(out), ['a>c', 'c>end', 'start>a']);
  assert.deepEqual(Object.keys(out.layout!), ['a']);
  assert.equal(graph.nodes.length, 5, 'the input graph is not modified');
  assert.equal(validateGraph(out).ok, true);
});

test('adjacent excluded nodes are bridged in any order', () => {
  const graph = build(['start>a>b>c>d>end'], { nodes: optional('b', 'c') });
  for (const order of [['b', 'c'], ['c', 'b']]) {
    assert.deepEqual(edges(excludeOptionalNodes(graph, order)), ['a>d', 'd>end', 'start>a']);
  }
});

test('an emptied parallel branch disappears', () => {
  const graph = build(['start>par>a>conv>end', 'par>b>conv', 'par>c>conv'], { nodes: optional('c') });
  const out = excludeOptionalNodes(graph, ['c']);
  assert.deepEqual(edges(out), ['a>conv', 'b>conv', 'conv>end', 'par>a', 'par>b', 'start>par']);
  assert.equal(validateGraph(out).ok, true);
});

test('a parallel block left with one branch is replaced by that branch', () => {
  const graph = build(['start>par>a>a2>conv>end', 'par>b>conv'], { nodes: optional('b') });
  const out = excludeOptionalNodes(graph, ['b']);
  assert.deepEqual(nodes(out), ['a', 'a2', 'end', 'start']);
  assert.deepEqual(edges(out), ['a2>end', 'a>a2', 'start>a']);
  assert.equal(validateGraph(out).ok, true);
});

test('a wholly emptied block disappears, and so does the outer block it leaves empty', () => {
  const graph = build([
    'start>par1>par2>a>conv2>conv1>end', 'par2>b>conv2', 'par1>c>conv1',
  ], { nodes: optional('a', 'b') });
  const out = excludeOptionalNodes(graph, ['a', 'b']);
  assert.deepEqual(nodes(out), ['c', 'end', 'start']);
  assert.deepEqual(edges(out), ['c>end', 'start>c']);
  assert.equal(validateGraph(out).ok, true);
});

test('exclusive branches keep their condition and stay even when empty', () => {
  const graph = build(['start>ex>a>conv>end ?x > 1', 'ex>b>conv default'], {
    nodes: optional('a'), variables: { x: { type: 'number', value: 1 } },
  });
  const out = excludeOptionalNodes(graph, ['a']);
  const redirected = out.flows.find((f) => f.id === 'ex-a')!;
  assert.equal(redirected.target, 'conv');
  assert.deepEqual(redirected.condition, { expression: 'x > 1' });
  assert.equal(validateGraph(out).ok, true);
});

test('excluding the only node of a loop drops the emptied loop flow', () => {
  const graph = build(['start>a>ex>end default', 'ex>b>a ?again'], {
    nodes: optional('b'), variables: { again: { type: 'boolean', value: false } },
  });
  const out = excludeOptionalNodes(graph, ['b']);
  assert.deepEqual(edges(out), ['a>ex', 'ex>a', 'ex>end', 'start>a']);
});

test('excluding a node that is not optional throws an error naming it', () => {
  const graph = build(['start>a>b>end'], { nodes: optional('a') });
  assert.throws(() => excludeOptionalNodes(graph, ['a', 'b']), (err: unknown) =>
    err instanceof NodeNotOptionalError && err.code === 'node_not_optional' && err.nodeId === 'b' && /node b/.test(err.message));
  assert.throws(() => excludeOptionalNodes(graph, ['start']), NodeNotOptionalError);
  assert.throws(() => excludeOptionalNodes(graph, ['ghost']), (err: unknown) =>
    err instanceof UnknownNodeError && err.nodeId === 'ghost' && err.message === 'node ghost does not exist in the flow graph');
  assert.throws(() => excludeOptionalNodes(graph, ['']), (err: unknown) => err instanceof UnknownNodeError && err.message === 'node "" does not exist in the flow graph');
});

test('excluding every branch of a parallel block that a loop returns to drops the emptied loop flow', () => {
  const graph = build(['start>par>a>conv>ex>end default', 'par>b>conv', 'ex>par ?again'], {
    nodes: optional('a', 'b'), variables: { again: { type: 'boolean', value: false } },
  });
  const out = excludeOptionalNodes(graph, ['a', 'b']);
  assert.deepEqual(edges(out), ['ex>end', 'start>ex']);
  assert.deepEqual(validateGraph(out).errors, []);
});
