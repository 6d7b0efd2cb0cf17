import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FlowGraph } from '@opsloom/core/model';
import { changedPaths, diffGraphs, stableJson } from './graph-diff.js';

const v1: FlowGraph = {
  name: 'deploy', outputs: ['code'],
  variables: { code: { type: 'number', value: 0 }, env: { type: 'string', value: 'dev' } },
  nodes: [
    { id: 'start', type: 'start' },
    { id: 'run', type: 'task', plugin: { name: 'script', version: '1.0.0' }, inputs: { script: 'echo 1', timeout: 10 } },
    { id: 'end', type: 'end' },
  ],
  flows: [{ id: 'f1', source: 'start', target: 'run' }, { id: 'f2', source: 'run', target: 'end' }],
  layout: { start: { x: 0, y: 0 }, run: { x: 100, y: 0 }, end: { x: 200, y: 0 } },
};

test('lists added, removed and changed elements with the changed fields', () => {
  const v2: FlowGraph = structuredClone(v1);
  v2.name = 'deploy web';
  (v2.nodes[1] as { inputs: Record<string, unknown> }).inputs.script = 'echo 2';
  v2.nodes.push({ id: 'notify', type: 'task', plugin: { name: 'mail', version: '1.0.0' }, inputs: {} });
  v2.flows = [{ id: 'f1', source: 'start', target: 'run' }, { id: 'f3', source: 'run', target: 'notify' }, { id: 'f4', source: 'notify', target: 'end' }];
  delete v2.variables.env;
  v2.variables.region = { type: 'string' };
  v2.outputs = [];
  v2.layout = { ...v2.layout, end: { x: 400, y: 0 } };
  const d = diffGraphs(v1, v2);
  assert.deepEqual(d.name, { before: 'deploy', after: 'deploy web' });
  assert.deepEqual(d.nodes.added.map((n) => n.id), ['notify']);
  assert.deepEqual(d.nodes.changed.map((c) => [c.id, c.fields]), [['run', ['inputs.script']]]);
  assert.deepEqual(d.flows.added.map((f) => f.id), ['f3', 'f4']);
  assert.deepEqual(d.flows.removed.map((f) => f.id), ['f2']);
  assert.deepEqual(d.variables.added.map((v) => v.key), ['region']);
  assert.deepEqual(d.variables.removed.map((v) => v.key), ['env']);
  assert.deepEqual(d.outputs, { added: [], removed: ['code'] });
  assert.deepEqual(d.moved, ['end']);
  assert.equal(d.sameBehaviour, false);
});

test('moves alone and key order are not behaviour changes', () => {
  const v2: FlowGraph = JSON.parse(JSON.stringify({ ...v1, layout: { ...v1.layout, run: { x: 120, y: 40 } } }));
  v2.nodes[1] = { inputs: { timeout: 10, script: 'echo 1' }, plugin: { version: '1.0.0', name: 'script' }, type: 'task', id: 'run' };
  const d = diffGraphs(v1, v2);
  assert.equal(d.sameBehaviour, true);
  assert.deepEqual(d.moved, ['run']);
  assert.equal(stableJson({ b: 1, a: [1, { d: 2, c: 3 }] }), '{"a":[1,{"c":3,"d":2}],"b":1}');
  assert.deepEqual(changedPaths({ a: { b: 1, c: 2 } }, { a: { b: 1, c: 3 } }), ['a.c']);
});
