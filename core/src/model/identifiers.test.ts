import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expressionVariables, validateGraph } from './index.js';
import type { FlowGraph } from './index.js';

const reads = (expression: string): string[] => expressionVariables(expression).roots;

test('regex literals are not names, and a slash after a value divides', () => {
  assert.deepEqual(reads('/^v\\d+$/.test(version)'), ['version']);
  assert.deepEqual(reads('version.replace(/x/g,"y")'), ['version']);
  assert.deepEqual(reads('a / b / c'), ['a', 'b', 'c']);
  assert.deepEqual(reads('x ? /re/ : y'), ['x', 'y']);
  assert.deepEqual(reads('(n) / 2 + list[0] / d'), ['n', 'list', 'd']);
  assert.deepEqual(reads('/[/]}/.test(s) && /a\\/b/i.test(t)'), ['s', 't']);
});

test('template literals nest, with regexes and braces inside their ${}', () => {
  assert.deepEqual(reads('`a${b + `c${d}`}` + e'), ['b', 'd', 'e']);
  assert.deepEqual(reads('`${ {a: 1}.a }${ "}" }${ /}/.test(s) }` + q'), ['s', 'q']);
});

test('function, arrow, method and catch parameters are bound inside their function only', () => {
  assert.deepEqual(reads('hosts.map(function(h){return h.ip})'), ['hosts']);
  assert.deepEqual(reads('(({a, b: [c, d = e]}, ...r) => a + c + d + r)(x)'), ['e', 'x']);
  assert.deepEqual(reads('arr.reduce((acc, {n}) => acc + n, 0)'), ['arr']);
  assert.deepEqual(reads('(() => { try { return p } catch (err) { return err.message } })()'), ['p']);
  assert.deepEqual(reads('items.filter(async function (it) { return await it.ok })'), ['items']);
  // The same name outside the function is a read.
  assert.deepEqual(reads('xs.map(x => x) + x'), ['xs', 'x']);
  assert.deepEqual(reads('y => y, y'), ['y']);
  assert.deepEqual(reads('a ? x => x : x'), ['a', 'x']);
  assert.deepEqual(reads('(function f(){}) + f'), ['f']);
  assert.deepEqual(reads('arguments'), ['arguments']);
  assert.deepEqual(reads('(function(){ return arguments[0] })()'), []);
});

test('declarations are bound in their block, for heads in their loop', () => {
  assert.deepEqual(reads('(() => { const e = x * 2; return e })()'), ['x']);
  assert.deepEqual(reads('(() => { function helper(z) { return z * 2 } return helper(n) })()'), ['n']);
  assert.deepEqual(reads('(() => { let s = 0; for (let i = 0; i < n; i++) s += i; return s + i })()'), ['n', 'i']);
  assert.deepEqual(reads('(() => { var t = 1; { let u = 2 } return t + u })()'), ['u']);
  assert.deepEqual(reads('(() => { class C { m() { return C } } return new C().m() })()'), []);
  assert.deepEqual(reads('(() => { outer: for (const [k, v] of Object.entries(o)) { if (v) break outer; } return k })()'), ['o', 'k']);
});

test('object keys, methods, accessors and class members are not reads; values, computed keys and shorthands are', () => {
  assert.deepEqual(reads('({get a(){return 1}}).a'), []);
  assert.deepEqual(reads('({ a, b: c, [d]: 1, e() { return f }, async *g(h) { return h }, set z(w) { }, ...rest })'),
    ['a', 'c', 'd', 'f', 'rest']);
  assert.deepEqual(reads('new (class K extends Base { #p = 1; static s = q; m(y) { return this.#p + y + K } })()'), ['Base', 'q']);
  // Contextual keywords are names where they are not keywords.
  assert.deepEqual(reads('get + set + of + async + static'), ['get', 'set', 'of', 'async', 'static']);
  assert.deepEqual(reads('({ get, set: 1 })'), ['get']);
});

test('validation accepts the expressions the scanner now reads right, and still names a free unknown', () => {
  const graph: FlowGraph = {
    name: 'scan',
    nodes: [
      { id: 'start', type: 'start' },
      { id: 't', type: 'task', plugin: { name: 'p', version: '1' }, inputs: {
        a: '${/^v\\d+$/.test(version)}', b: '${hosts.map(function(h){return h.ip})}',
        c: '${({get a(){return 1}}).a}', d: '${(() => { const e = version; return e })()}', e: '${hosts.map(h => h) + h}',
      } },
      { id: 'end', type: 'end' },
    ],
    flows: [{ id: 'f1', source: 'start', target: 't' }, { id: 'f2', source: 't', target: 'end' }],
    variables: { version: { type: 'string', value: 'v1' }, hosts: { type: 'json', value: [] } },
    outputs: [],
  };
  const { errors } = validateGraph(graph);
  assert.deepEqual(errors.map((e) => [e.rule, e.message]), [['unknown_variable', 'node t input e: ${hosts.map(h => h) + h} uses h, which is not a variable of this flow']]);
});
