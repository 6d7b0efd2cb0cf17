import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IoValidator } from './io-validator.js';

const schema = {
  type: 'object', required: ['host', 'port'], additionalProperties: false,
  properties: { host: { type: 'string' }, port: { type: 'integer' }, 'a/b': { type: 'string' } },
};

test('inputProblems reports what the known inputs break and leaves the open ones to the run', () => {
  const io = new IoValidator();
  assert.deepEqual(io.inputProblems(schema, { host: 1, port: 2, extra: true }, new Set()), [
    "inputs must NOT have additional property 'extra'",
    'inputs.host must be string',
  ]);
  // An open field is neither missing nor of a wrong type yet; a field name with a slash is still told apart.
  assert.deepEqual(io.inputProblems(schema, { 'a/b': 3 }, new Set(['host', 'port'])), ['inputs.a/b must be string']);
  assert.deepEqual(io.inputProblems(schema, { host: 'h' }, new Set(['port'])), []);
  assert.deepEqual(io.inputProblems(schema, { host: 'h' }, new Set()), ["inputs must have required property 'port'"]);
});

test('an error that names no field, or that other fields decide (anyOf, oneOf, if …), is reported only when no field is open', () => {
  const io = new IoValidator();
  const either = { type: 'object', anyOf: [{ required: ['a'] }, { required: ['b'] }], minProperties: 1 };
  assert.deepEqual(io.inputProblems(either, {}, new Set(['a'])), []);
  assert.deepEqual(io.inputProblems(either, {}, new Set()).sort(), [
    'inputs must NOT have fewer than 1 properties',
    "inputs must have required property 'a'",
    "inputs must have required property 'b'",
    'inputs must match a schema in anyOf',
  ]);
});

test("a schema that does not compile is refused as the plugin's fault", () => {
  assert.throws(() => new IoValidator().inputProblems({ type: 'nonsense' }, {}, new Set()), (err: Error & { code?: string }) => err.code === 'PLUGIN_INVALID');
});
