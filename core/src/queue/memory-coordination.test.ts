import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { coordinationContract, waitFor } from './coordination-contract.js';
import { createCoordination } from './index.js';

// In-process there is one engine per process, so the "other process" is the same coordination.
coordinationContract('in-process', async (onError) => {
  const coordination = createCoordination({ onError });
  return { primary: coordination, peer: coordination };
}, async ({ primary }) => {
  await primary.close();
});

describe('in-process coordination', () => {
  it('is the default engine', () => {
    assert.equal(createCoordination().kind, 'memory');
  });

  it('shares a queue between the handles of one name, and keeps jobs across a handle close', async () => {
    const coordination = createCoordination();
    try {
      const producer = coordination.queue<number>('shared');
      assert.equal(coordination.queue<number>('shared'), producer);
      await producer.add('n', 1);
      await producer.close();
      const consumer = coordination.queue<number>('shared');
      const seen: number[] = [];
      consumer.process(async (job) => { seen.push(job.data); });
      await waitFor('job added before the close', () => seen.length === 1);
      assert.deepEqual(seen, [1]);
    } finally {
      await coordination.close();
    }
  });

  it('keeps only the configured number of failed jobs', async () => {
    const coordination = createCoordination({ keepFailed: 2 });
    try {
      const q = coordination.queue<number>('failing');
      let calls = 0;
      q.process(async () => { calls++; throw new Error('always'); });
      await q.addBulk([1, 2, 3, 4].map((n) => ({ name: 'n', data: n })));
      await waitFor('four attempts', () => calls === 4);
      await waitFor('settled', async () => (await q.counts()).active === 0);
      assert.equal((await q.counts()).failed, 2);
    } finally {
      await coordination.close();
    }
  });

  it('reports a throwing event handler to onError', async () => {
    const errors: string[] = [];
    const coordination = createCoordination({ onError: (_e, context) => errors.push(context) });
    try {
      await coordination.events.subscribe('c', () => { throw new Error('bug'); });
      await coordination.events.publish('c', 1);
      await waitFor('reported error', () => errors.length === 1);
      assert.match(errors[0], /channel "c"/);
    } finally {
      await coordination.close();
    }
  });
});
