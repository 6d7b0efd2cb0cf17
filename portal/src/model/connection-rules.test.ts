import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FlowGraph, FlowNode } from '@opsloom/core/model';
import { checkConnection } from './connection-rules.js';

const task = (id: string): FlowNode => ({ id, type: 'task', plugin: { name: 'p', version: '1.0.0' }, inputs: {} });
function graph(nodes: FlowNode[], flows: [string, string][]): FlowGraph {
  return { name: 'g', nodes, flows: flows.map(([s, t], i) => ({ id: `e${i}`, source: s, target: t })), variables: {}, outputs: [] };
}
const base: FlowNode[] = [{ id: 'start', type: 'start' }, { id: 'end', type: 'end' }];

test('accepts a connection on an incomplete graph and returns the graph with the new flow', () => {
  const g = graph([...base, task('a'), task('b')], []);
  const v = checkConnection(g, 'start', 'a');
  assert.equal(v.ok, true);
  if (v.ok) {
    assert.equal(v.graph.flows.length, 1);
    assert.equal(v.flow.source, 'start');
    assert.equal(g.flows.length, 0);
  }
});

test('refuses self loops, duplicates, flows into the start and out of the end', () => {
  const g = graph([...base, task('a')], [['start', 'a']]);
  const self = checkConnection(g, 'a', 'a');
  assert.equal(self.ok, false);
  assert.match(!self.ok ? self.reason : '', /itself/);
  assert.equal(checkConnection(g, 'start', 'a').ok, false);
  const intoStart = checkConnection(g, 'a', 'start');
  assert.match(!intoStart.ok ? intoStart.reason : '', /start event/);
  const outOfEnd = checkConnection(g, 'end', 'a');
  assert.match(!outOfEnd.ok ? outOfEnd.reason : '', /end event/);
});

test('refuses a second outgoing flow from a task, with advice to add a gateway', () => {
  const g = graph([...base, task('a'), task('b')], [['start', 'a'], ['a', 'end']]);
  const v = checkConnection(g, 'a', 'b');
  assert.equal(v.ok, false);
  if (!v.ok) {
    assert.equal(v.rule, 'degree');
    assert.match(v.reason, /gateway/);
  }
});

test('refuses branches of a parallel gateway that meet outside a converge, and a branch that runs into an end', () => {
  const nodes: FlowNode[] = [...base, { id: 'par', type: 'parallel' }, task('a'), task('b'), task('c'), { id: 'conv', type: 'converge' }];
  const g = graph(nodes, [['start', 'par'], ['par', 'a'], ['par', 'b'], ['a', 'c']]);
  const merge = checkConnection(g, 'b', 'c');
  assert.equal(merge.ok, false);
  if (!merge.ok) assert.equal(merge.rule, 'merge_outside_converge');
  const leaves = checkConnection(g, 'b', 'end');
  assert.equal(leaves.ok, false);
  if (!leaves.ok) assert.equal(leaves.rule, 'branch_leaves_block');
  // The right way: both branches into the converge gateway, one at a time.
  const first = checkConnection(g, 'c', 'conv');
  assert.equal(first.ok, true, 'half-finished blocks are allowed while drawing');
  if (first.ok) assert.equal(checkConnection(first.graph, 'b', 'conv').ok, true);
});
