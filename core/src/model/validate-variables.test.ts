import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateGraph } from './index.js';
import { build } from './test-graphs.js';

const problems = (graph: unknown, opts = {}): string[][] => validateGraph(graph, opts).errors.map((e) => [e.rule, e.nodeId ?? e.flowId ?? '', e.message]);

test('a variable type outside the known list is refused, with the list and the likely one', () => {
  const graph = build(['start>a>end'], { variables: { s: { type: 'strnig' as never, value: 'x' }, t: { type: 'table', value: [] } } });
  assert.deepEqual(problems(graph), [['invalid_variable', '',
    'variable s: type "strnig" is not a variable type (did you mean "string"?); use one of string, text, number, boolean, json, password, select, hosts, datetime, table']]);
  assert.deepEqual(problems(graph, { savedVersion: true }), []);
});
