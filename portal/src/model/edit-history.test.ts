import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EditHistory } from './edit-history.js';

test('undo and redo walk the states; a new edit drops the redo branch', () => {
  const h = new EditHistory({ n: 0 });
  const s1 = { n: 1 };
  const s2 = { n: 2 };
  h.push(s1, 'one');
  h.push(s2, 'two');
  assert.equal(h.undoLabel, 'two');
  assert.equal(h.undo(), s1);
  assert.equal(h.undo().n, 0);
  assert.equal(h.canUndo, false);
  assert.equal(h.undo().n, 0, 'undo at the start stays put');
  assert.equal(h.redo(), s1);
  h.push({ n: 3 });
  assert.equal(h.canRedo, false);
  assert.equal(h.undo(), s1);
});

test('keeps at least 100 steps and drops the oldest beyond the limit', () => {
  const h = new EditHistory(0, { limit: 150 });
  for (let i = 1; i <= 400; i++) h.push(i);
  assert.equal(h.undoDepth, 150);
  for (let i = 0; i < 150; i++) h.undo();
  assert.equal(h.current, 250);
  assert.equal(h.canUndo, false);
  const d = new EditHistory(0);
  for (let i = 1; i <= 120; i++) d.push(i);
  for (let i = 0; i < 120; i++) d.undo();
  assert.equal(d.current, 0, 'the default keeps more than 100 steps');
});

test('pushing the current state is not a step; replace and reset', () => {
  const s = { a: 1 };
  const h = new EditHistory(s);
  h.push(s);
  assert.equal(h.canUndo, false);
  h.push({ a: 2 });
  h.replace({ a: 3 });
  assert.equal(h.current.a, 3);
  h.reset({ a: 9 });
  assert.equal(h.canUndo, false);
  assert.equal(h.current.a, 9);
});
