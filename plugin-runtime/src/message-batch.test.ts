import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachMessage, MessageBatcher, type Batch } from './message-batch.js';

type M = { t: 'a'; n: number };
const turn = () => new Promise((r) => setImmediate(r));

test('messages sent in one turn go as one batch, in order; a lone message goes as itself', async () => {
  const written: (M | Batch<M>)[] = [];
  const batcher = new MessageBatcher<M>((m) => written.push(m));
  batcher.send({ t: 'a', n: 1 });
  batcher.send({ t: 'a', n: 2 });
  batcher.send({ t: 'a', n: 3 });
  assert.equal(written.length, 0, 'sent before the turn ended');
  await turn();
  assert.deepEqual(written, [{ t: 'batch', m: [{ t: 'a', n: 1 }, { t: 'a', n: 2 }, { t: 'a', n: 3 }] }]);
  batcher.send({ t: 'a', n: 4 });
  await turn();
  assert.deepEqual(written[1], { t: 'a', n: 4 });
  const seen: number[] = [];
  for (const w of written) forEachMessage(w, (m) => seen.push(m.n));
  assert.deepEqual(seen, [1, 2, 3, 4]);
});

test('flush sends at once what is queued', () => {
  const written: (M | Batch<M>)[] = [];
  const batcher = new MessageBatcher<M>((m) => written.push(m));
  batcher.send({ t: 'a', n: 1 });
  batcher.flush();
  assert.deepEqual(written, [{ t: 'a', n: 1 }]);
  batcher.flush();
  assert.equal(written.length, 1);
});
