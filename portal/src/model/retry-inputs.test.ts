import { test } from 'node:test';
import assert from 'node:assert/strict';
import { changedInputs, retryFormInputs } from './retry-inputs.js';

test('the retry form shows the defined inputs, expressions unrendered and literal inputs by their value', () => {
  assert.deepEqual(retryFormInputs({ inputs: { host: '${web}', script: { value: 'echo ${HOME}', render: false }, options: { value: { retries: 2 } }, count: 3 } }),
    { host: '${web}', script: 'echo ${HOME}', options: { retries: 2 }, count: 3 });
});

test('only the inputs the operator changed are sent, whatever the key order of an object', () => {
  const shown = { host: '${web}', options: { a: 1, b: [1, { c: null }] }, count: 3 };
  assert.deepEqual(changedInputs(shown, { ...shown }), {}, 'left as is: no new inputs');
  assert.deepEqual(changedInputs(shown, { count: 3, options: { b: [1, { c: null }], a: 1 }, host: '${web}' }), {});
  assert.deepEqual(changedInputs(shown, { ...shown, count: 4 }), { count: 4 });
  assert.deepEqual(changedInputs(shown, { ...shown, options: { a: 1, b: [1, { c: 0 }] } }), { options: { a: 1, b: [1, { c: 0 }] } });
  assert.deepEqual(changedInputs(shown, { host: '${web}' }), {}, 'an input left out keeps its definition');
  assert.deepEqual(changedInputs(shown, { ...shown, extra: 'x' }), { extra: 'x' }, 'a new key goes to core, which names it if the node has no such input');
  assert.deepEqual(changedInputs({ n: '1' }, { n: 1 }), { n: 1 }, 'a string and a number differ');
});
