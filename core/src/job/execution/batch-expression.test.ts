import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ValidationError } from '../../errors.js';
import { batchSizes, MAX_BATCHES } from './batch-expression.js';

test('bk-job rolling expressions split hosts into batches', () => {
  assert.deepEqual(batchSizes('10% +10 *2', 200), [20, 30, 60, 90]);
  assert.deepEqual(batchSizes('1', 3), [1, 1, 1]);
  assert.deepEqual(batchSizes('2 +1', 10), [2, 3, 4, 1]);
  assert.deepEqual(batchSizes('1 *2', 10), [1, 2, 4, 3]);
  assert.deepEqual(batchSizes('50%', 3), [2, 1]);
  assert.deepEqual(batchSizes('100%', 7), [7]);
  assert.deepEqual(batchSizes(' 5   10 ', 30), [5, 10, 10, 5]);
});

test('malformed expressions are refused with the offending part named', () => {
  assert.throws(() => batchSizes('ten', 10), (e: unknown) => e instanceof ValidationError && /"ten"/.test(e.message));
  assert.throws(() => batchSizes('+1', 10), /must start with N or N%/);
  assert.throws(() => batchSizes('0', 10), /out of range/);
  assert.throws(() => batchSizes('150%', 10), /out of range/);
  assert.throws(() => batchSizes('', 10), /empty/);
  assert.throws(() => batchSizes('1', MAX_BATCHES + 1), /more than 500 batches/);
});
