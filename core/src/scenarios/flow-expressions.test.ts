import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { TestServer } from '../test-support/test-server.js';
import { openFlowServer, type Flows } from '../test-support/flow-server.js';
import { end, graph, start, task } from '../test-support/flow-helpers.js';

/** How expressions, escapes and their failures reach plugins and operators, through the real API and sandbox. */
describe('flow expressions', () => {
  let s: TestServer;
  let f: Flows;
  before(async () => ({ s, f } = await openFlowServer()));
  after(() => s.close());

  test('a $${ escape is unescaped in inputs, params and variable values, with or without a real expression beside it', async () => {
    const child = await f.template(graph('escape-child', [start(), task('work', '@test/echo', { value: '${note}' }), end()], [['start', 'work'], ['work', 'end']],
      { note: { type: 'string', show: true } }));
    const id = await f.run(graph('escapes', [
      start(),
      task('alone', '@test/echo', { r: '$${HOME}', list: ['$${A}', { deep: 'x $${B}' }], plain: 'no template' }),
      task('mixed', '@test/echo', { r: '$${HOME}', who: '${who}', cmd: '${cmd}' }),
      { id: 'sub', type: 'subflow', template: { id: child, version: 1 }, params: { note: 'cost $${price}' } },
      end(),
    ], [['start', 'alone'], ['alone', 'mixed'], ['mixed', 'sub'], ['sub', 'end']], {
      who: { type: 'string', value: 'ops' }, cmd: { type: 'string', value: 'echo $${USER}' },
    }));
    const t = await f.waitFor(id, (v) => v.state === 'finished' || v.state === 'failed', 'an end state');
    assert.equal(t.state, 'finished', JSON.stringify(t.nodes));
    assert.deepEqual((await f.node(id, 'alone')).inputs, { r: '${HOME}', list: ['${A}', { deep: 'x ${B}' }], plain: 'no template' });
    assert.deepEqual((await f.node(id, 'mixed')).inputs, { r: '${HOME}', who: 'ops', cmd: 'echo ${USER}' });
    const childId = t.nodes.sub!.childTaskId!;
    assert.deepEqual((await f.node(childId, 'work')).inputs, { value: 'cost ${price}' });
  });

  test('a declared variable that nothing has set fails the node as having no value yet, not as unknown', async () => {
    const id = await f.run(graph('no-value', [start(), task('use', '@test/echo', { value: 'got ${result}' }), end()], [['start', 'use'], ['use', 'end']],
      { result: { type: 'string' } }));
    const t = await f.waitState(id, 'failed');
    assert.equal(t.nodes.use!.error,
      'input "value": expression ${result} failed (no value): variable result has no value yet (it has no default and no node has set it)');
  });
});
