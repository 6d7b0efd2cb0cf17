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

test('a default of the wrong type is refused at save, as task creation would refuse it', () => {
  const graph = build(['start>a>end'], { variables: {
    n: { type: 'number', value: 'abc' }, b: { type: 'boolean', value: 'yes' }, s: { type: 'string', value: 3 },
    p: { type: 'password', value: 12345 }, c: { type: 'select', value: 'x', options: [{ text: 'A', value: 'a' }] },
  } });
  assert.deepEqual(problems(graph), [
    ['invalid_variable', '', 'variable n: the default value "abc" must be a number'],
    ['invalid_variable', '', 'variable b: the default value "yes" must be true or false'],
    ['invalid_variable', '', 'variable s: the default value 3 must be text'],
    ['invalid_variable', '', 'variable p: the default value (hidden) must be text'],
    ['invalid_variable', '', 'variable c: the default value: "x" is not one of the options'],
  ]);
});

test('a default holding ${…}, an empty default and untyped JSON pass', () => {
  const graph = build(['start>a>end'], { variables: {
    base: { type: 'number', value: 2 }, n: { type: 'number', value: '${base * 2}' }, e: { type: 'number', value: '' }, z: { type: 'number', value: null },
    m: { type: 'select', value: ['a'], multiple: true, options: [{ text: 'A', value: 'a' }] }, j: { type: 'json', value: { any: ['thing'] } },
  } });
  assert.deepEqual(problems(graph), []);
});
