import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FlowGraph } from '@opsloom/core/model';
import { autoLayout } from './auto-layout.js';
import { syntheticFlow } from './synthetic-flow.js';

const chain: FlowGraph = {
  name: 'chain', variables: {}, outputs: [],
  nodes: [{ id: 'start', type: 'start' }, { id: 'a', type: 'task', plugin: { name: 'p', version: '1' }, inputs: {} }, { id: 'end', type: 'end' }],
  flows: [{ id: 'f1', source: 'start', target: 'a' }, { id: 'f2', source: 'a', target: 'end' }],
};

test('a chain is laid out left to right on one row', () => {
  const l = autoLayout(chain);
  assert.ok(l.start!.x < l.a!.x && l.a!.x < l.end!.x);
  assert.equal(l.start!.y, l.a!.y);
  assert.equal(l.a!.y, l.end!.y);
});

test('every node of a large flow gets a position; flows point rightwards except loops; no two nodes overlap', () => {
  const g = syntheticFlow({ tasks: 248, blocks: 50 });
  assert.equal(g.nodes.length, 500);
  const l = autoLayout(g, { rowGap: 100 });
  assert.equal(Object.keys(l).length, 500);
  for (const f of g.flows) assert.ok(l[f.source]!.x < l[f.target]!.x, `flow ${f.id} goes right`);
  const seen = new Set<string>();
  for (const p of Object.values(l)) {
    const key = `${p.x},${Math.round(p.y / 100)}`;
    assert.ok(!seen.has(key), `two nodes share the cell ${key}`);
    seen.add(key);
  }
});

test('branches of a parallel block share a layer and get distinct rows; cycles are tolerated', () => {
  const g: FlowGraph = {
    name: 'loop', variables: {}, outputs: [],
    nodes: [
      { id: 'start', type: 'start' }, { id: 'ex', type: 'exclusive' },
      { id: 'a', type: 'task', plugin: { name: 'p', version: '1' }, inputs: {} },
      { id: 'b', type: 'task', plugin: { name: 'p', version: '1' }, inputs: {} },
      { id: 'end', type: 'end' },
    ],
    flows: [
      { id: 'f1', source: 'start', target: 'ex' }, { id: 'f2', source: 'ex', target: 'a' }, { id: 'f3', source: 'ex', target: 'b' },
      { id: 'f4', source: 'a', target: 'end' }, { id: 'f5', source: 'b', target: 'ex' },
    ],
  };
  const l = autoLayout(g);
  assert.equal(l.a!.x, l.b!.x);
  assert.notEqual(l.a!.y, l.b!.y);
  assert.ok(l.ex!.x > l.start!.x);
});
