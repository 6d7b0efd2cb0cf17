import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { JsonValue } from '../../model/index.js';
import { renderVariablesInOrder } from './initial-variables.js';

/** Renders `${name}` by looking the name up among the values rendered so far (else the raw value). */
const lookup = (values: Record<string, JsonValue>) => async (_key: string, value: JsonValue, rendered: Record<string, JsonValue>) =>
  String(value).replace(/\$\{(\w+)\}/g, (_m, name: string) => String(rendered[name] ?? values[name]));

test('each variable is rendered after the pending ones it reads', async () => {
  const values = { b: '${a}-1', a: '${x}', x: 'X', c: 'c:${b}' };
  assert.deepEqual(await renderVariablesInOrder(values, ['c', 'b', 'a'], lookup(values)), { a: 'X', b: 'X-1', c: 'c:X-1' });
});

test('a circle is named as it runs, apart from the variables that only wait for it', async () => {
  const values = { list: '${name}s', name: 'given-${url}', url: 'https://${name}' };
  await assert.rejects(renderVariablesInOrder(values, ['list', 'name', 'url'], lookup(values)),
    { message: 'variables name → url → name refer to each other in a circle and cannot be rendered; list waits for them' });
  const two = { a: '${b}', b: '${a}' };
  await assert.rejects(renderVariablesInOrder(two, ['a', 'b'], lookup(two)), { message: 'variables a → b → a refer to each other in a circle and cannot be rendered' });
});
