import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RecentPeak } from './recent-peak.js';

test('the recent peak is the most calls in flight at once, kept for one to two windows', () => {
  let now = 0;
  const peak = new RecentPeak(100, () => now);
  for (let i = 0; i < 5; i++) peak.enter();
  for (let i = 0; i < 5; i++) peak.leave();
  assert.equal(peak.value, 5);
  now = 150; // the next window: the burst is still recent
  assert.equal(peak.value, 5);
  peak.enter();
  peak.leave();
  now = 250; // two windows on: only the last window's single call counts
  assert.equal(peak.value, 1);
  now = 1000; // long quiet
  assert.equal(peak.value, 0);
});

test('calls still in flight when a window ends count in the next', () => {
  let now = 0;
  const peak = new RecentPeak(100, () => now);
  for (let i = 0; i < 3; i++) peak.enter();
  now = 500;
  assert.equal(peak.value, 3);
  peak.leave();
  now = 700;
  assert.equal(peak.value, 2);
});
