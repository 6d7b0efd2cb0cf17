import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ExpressionError } from './expression-error.js';

test('a condition is named as the condition of its flow, not as an input', () => {
  assert.equal(new ExpressionError('condition of flow fa', 'n >', 'syntax', 'Unexpected end of input').message,
    'condition of flow fa: expression ${n >} failed (syntax error): Unexpected end of input');
});

test('inputs, params and variables keep the input wording', () => {
  assert.equal(new ExpressionError('cmd', 'x', 'reference', 'x is not defined').message,
    'input "cmd": expression ${x} failed (unknown variable): x is not defined');
  assert.equal(new ExpressionError('param p', 'x', 'runtime', 'boom').message, 'input "param p": expression ${x} failed (error): boom');
});

test('a declared variable missing from the scope has no value yet; an undeclared name stays unknown', () => {
  const declared = new Set(['result']);
  assert.equal(new ExpressionError('v', 'result', 'reference', 'result is not defined', declared).message,
    'input "v": expression ${result} failed (no value): variable result has no value yet (it has no default and no node has set it)');
  assert.equal(new ExpressionError('v', 'other', 'reference', 'other is not defined', declared).message,
    'input "v": expression ${other} failed (unknown variable): other is not defined');
});
