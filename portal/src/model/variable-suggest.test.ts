import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applySuggestion, suggestVariables } from './variable-suggest.js';

const vars = ['hosts', 'home_dir', 'port'];

test('suggests variables inside an open ${ and nothing elsewhere', () => {
  assert.deepEqual(suggestVariables('echo ${ho', 9, vars), { from: 7, to: 9, items: ['home_dir', 'hosts'] });
  assert.equal(suggestVariables('echo ho', 7, vars), undefined);
  assert.equal(suggestVariables('echo ${hosts} ho', 16, vars), undefined, 'closed expression');
  assert.equal(suggestVariables('echo $${ho', 10, vars), undefined, 'escaped');
  assert.equal(suggestVariables('${a.ho', 6, vars), undefined, 'member access');
  const all = suggestVariables('${', 2, vars);
  assert.deepEqual(all?.items, ['_system', 'home_dir', 'hosts', 'port']);
  assert.deepEqual(suggestVariables('${port + ho', 11, vars)?.items, ['home_dir', 'hosts']);
});

test('applying a suggestion completes the name and closes the expression', () => {
  const s = suggestVariables('echo ${ho', 9, vars)!;
  assert.deepEqual(applySuggestion('echo ${ho', s, 'hosts'), { text: 'echo ${hosts}', caret: 13 });
  const inner = suggestVariables('x ${po + 1} y', 6, vars)!;
  assert.deepEqual(applySuggestion('x ${po + 1} y', inner, 'port'), { text: 'x ${port + 1} y', caret: 8 });
});
