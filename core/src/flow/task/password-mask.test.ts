import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FlowGraph } from '../../model/index.js';
import { maskPasswords, passwordValues } from './password-mask.js';

const graph = (variables: FlowGraph['variables']): FlowGraph => ({ name: 'g', nodes: [], flows: [], variables, outputs: [] });

test('password values come from defaults, given values and current values, longest first; other types are not secrets', () => {
  const g = graph({ pw: { type: 'password', value: 'default-pw' }, token: { type: 'password' }, user: { type: 'string', value: 'root' } });
  assert.deepEqual(passwordValues(g, { pw: 'given-password', user: 'ops' }, { token: 'abc', pw: '' }), ['given-password', 'default-pw', 'abc']);
  assert.deepEqual(passwordValues(graph({ user: { type: 'string', value: 'x' } }), { user: 'y' }), []);
});

test('masking replaces passwords at any depth, embedded ones only when long enough, and keeps keys and other values', () => {
  const secrets = ['hunter2-long', 'hunter2', 'ab'];
  const value = JSON.parse('{"__proto__": {"p": "hunter2-long"}, "url": "https://u:hunter2@h/ab", "short": "ab", "n": 3, "list": ["x hunter2-long y", null, true]}');
  const masked = maskPasswords(value, secrets) as Record<string, unknown>;
  assert.ok(Object.hasOwn(masked, '__proto__'), 'a __proto__ key stays an ordinary key');
  assert.deepEqual(JSON.parse(JSON.stringify(masked)), JSON.parse('{"__proto__": {"p": "******"}, "url": "https://u:******@h/ab", "short": "******", "n": 3, "list": ["x ****** y", null, true]}'));
  assert.equal(maskPasswords(value, []), value, 'nothing to mask: the value itself');
});

test('a password with quotes or backslashes is masked where text holds it JSON-escaped, as an interpolated object does', () => {
  const secret = 'pa"ss\\word';
  const text = `login ${JSON.stringify({ user: 'ops', pass: secret })} and ${JSON.stringify([secret])}`;
  assert.equal(maskPasswords(text, [secret]), 'login {"user":"ops","pass":"******"} and ["******"]');
  assert.deepEqual(maskPasswords({ raw: secret, inText: `pw=${secret}` }, [secret]), { raw: '******', inText: 'pw=******' });
});

test('a value nested thousands of levels deep is masked, not a stack overflow', () => {
  let deep: unknown = ['x hunter2-long'];
  for (let i = 0; i < 100_000; i++) deep = i % 2 ? [deep] : { a: deep };
  let masked = maskPasswords(deep, ['hunter2-long']);
  for (let i = 100_000 - 1; i >= 0; i--) masked = (masked as Record<string | number, unknown>)[i % 2 ? 0 : 'a'];
  assert.deepEqual(masked, ['x ******']);
});
