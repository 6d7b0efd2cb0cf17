import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pluginSuite } from '@opsloom/plugin-sdk/testing';

const invoke = pluginSuite(import.meta.url, 5);

test('a duration becomes a deadline in the state; polls shorten as it nears', async () => {
  const before = Date.now();
  const r = await invoke({ inputs: { seconds: 90, maxPollSeconds: 30 } }, {});
  assert.equal(r.status, 'poll');
  if (r.status !== 'poll') return;
  const state = r.state as { deadline: number; maxPollMs: number; startedAt: number };
  assert.ok(state.deadline >= before + 90_000 && state.deadline <= Date.now() + 90_000);
  assert.equal(r.delayMs, 30_000);
  // Near the deadline the next check is the remaining time, not the cap.
  const near = await invoke({ call: 'poll', inputs: { seconds: 90 }, state: { ...state, deadline: Date.now() + 5_000 } }, {});
  assert.equal(near.status, 'poll');
  if (near.status === 'poll') assert.ok(near.delayMs > 0 && near.delayMs <= 5_000);
});

test('until with an offset is read in that zone, and the outputs report the wait', async () => {
  const r = await invoke({ inputs: { until: '2000-01-01T08:00:00+08:00' } }, {});
  assert.equal(r.status, 'done');
  if (r.status !== 'done') return;
  assert.equal(r.outputs.deadline, '2000-01-01T00:00:00.000Z');
  assert.equal(r.outputs.sleptSeconds, 0);
});
