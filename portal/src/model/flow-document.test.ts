import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FlowGraph } from '@opsloom/core/model';
import { FLOW_FORMAT, flowDocument, importBody } from './flow-document.js';

const graph: FlowGraph = {
  name: 'Rotate logs',
  nodes: [{ id: 'start', type: 'start' }, { id: 'end', type: 'end' }],
  flows: [{ id: 'f1', source: 'start', target: 'end' }],
  variables: {},
} as FlowGraph;

test('the editor exports the document core imports: format, name and graph', () => {
  const doc = flowDocument(graph, { description: 'nightly', source: { templateId: 't1', version: 3 } });
  assert.equal(doc.format, FLOW_FORMAT);
  assert.equal(doc.name, 'Rotate logs');
  assert.equal(doc.description, 'nightly');
  assert.deepEqual(doc.graph, graph);
  assert.deepEqual(doc.source, { templateId: 't1', version: 3 });
  assert.ok(!Number.isNaN(Date.parse(doc.exportedAt)));
  assert.equal('source' in flowDocument(graph), false, 'an unsaved flow names no source');
});

test('an export document is imported as it is; a bare graph is wrapped in one, named after it or its file', () => {
  const doc = flowDocument(graph);
  assert.equal(importBody(doc, 'x.json'), doc);
  assert.deepEqual(importBody(graph, 'x.json'), { format: FLOW_FORMAT, name: 'Rotate logs', graph });
  const unnamed = importBody({ ...graph, name: '' }, 'Nightly.opsloom-flow.json') as { name: string; graph: FlowGraph };
  assert.equal(unnamed.name, 'Nightly');
  assert.equal(unnamed.graph.name, 'Nightly');
  const foreign = { format: 'other/v9', name: 'x', graph };
  assert.equal(importBody(foreign, 'x.json'), foreign, 'a foreign format is left for core to refuse');
  assert.equal(importBody('text', 'x.json'), 'text');
});
