import { test } from 'node:test';
import assert from 'node:assert/strict';
import { conditionToExpression, expressionVariables, extractReferences, parseTemplate } from './index.js';

test('extractReferences finds expressions, roots and member paths', () => {
  const found = extractReferences('deploy ${app.name} to ${hosts.join(",")} as ${_system.operator}');
  assert.deepEqual(found.expressions.map((e) => e.expression), ['app.name', 'hosts.join(",")', '_system.operator']);
  assert.deepEqual(found.variables, ['app', 'hosts', '_system']);
  assert.deepEqual(found.expressions[2]!.paths, ['_system.operator']);
  assert.equal(found.expressions[0]!.start, 7);
  assert.equal(found.expressions[0]!.end, 18);
  assert.equal(found.error, undefined);
});

test('escaped $${ is literal and starts no expression', () => {
  assert.deepEqual(extractReferences('echo $${HOME} ${user}').variables, ['user']);
  assert.deepEqual(parseTemplate('a $${b} c').parts, [{ kind: 'text', text: 'a ${b} c' }]);
});

test('braces, strings and template literals nest inside one expression', () => {
  const parts = parseTemplate('x ${ {a: "}"}.a + `${y}` } z').parts;
  assert.equal(parts.length, 3);
  assert.equal(parts[1]!.kind === 'expression' && parts[1]!.expression, '{a: "}"}.a + `${y}`');
  assert.deepEqual(extractReferences('x ${ {a: "}"}.a + `${y}` } z').variables, ['y']);
});

test('globals, keywords, object keys, arrow parameters and members are not variables', () => {
  assert.deepEqual(expressionVariables('Math.max(...list.map((n, i) => n * i)) + JSON.stringify({ key: value, other })').roots,
    ['list', 'value', 'other']);
  assert.deepEqual(expressionVariables('typeof a === "undefined" ? b : c?.d').roots, ['a', 'b', 'c']);
  assert.deepEqual(expressionVariables('hosts.map(h => `${h.ip}:${port}`)').roots, ['hosts', 'port']);
  assert.deepEqual(expressionVariables('"a.b" + \'c\' + 1.5e3 // comment x').roots, []);
  assert.deepEqual(expressionVariables('tbl.col[0] + obj["k"]').paths, ['tbl.col', 'obj']);
});

test('malformed templates are reported, not passed as text', () => {
  assert.match(extractReferences('echo ${x').error!.message, /unterminated/);
  assert.match(extractReferences('echo ${ }').error!.message, /empty/);
});

test('conditions accept plain JavaScript and bk-sops ${x} wrappers alike', () => {
  assert.equal(conditionToExpression('${count} > 3 && env == "${x}"').expression, '(count) > 3 && env == "${x}"');
  assert.equal(conditionToExpression('count > 3').expression, 'count > 3');
  assert.match(conditionToExpression('  ').error!, /empty/);
});
