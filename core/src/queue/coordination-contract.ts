/**
 * The behaviour every {@link Coordination} engine promises, as one test suite run against each
 * (memory-coordination.test.ts, redis-coordination.test.ts). Not a test file itself: it only
 * declares tests when called.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { CoordinationError } from './errors.js';
import type { BackgroundErrorHandler, Coordination, Job } from './interface.js';

/** Two coordinations on one engine: `peer` plays another process (the same object in-process). */
export interface ContractSubject {
  primary: Coordination;
  peer: Coordination;
}

/** Polls `check` until it returns true; fails with `what` after `timeoutMs`. */
export async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** A promise with its resolver, to hold handlers until the test lets them go. */
export function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => { open = resolve; });
  return { promise, open };
}

let counter = 0;
/** A queue/channel/key name unique within this run. */
function unique(what: string): string {
  return `${what}-${process.pid}-${++counter}`;
}

/**
 * Declares the contract tests for one engine.
 * @param open builds a fresh subject for each test, reporting background errors to `onError`
 * @param dispose closes what `open` built
 */
export function coordinationContract(
  label: string,
  open: (onError: BackgroundErrorHandler) => Promise<ContractSubject>,
  dispose: (subject: ContractSubject) => Promise<void>,
): void {
  describe(`${label}: coordination contract`, () => {
    let subject: ContractSubject;
    let c: Coordination;
    let backgroundErrors: string[];
    beforeEach(async () => {
      backgroundErrors = [];
      subject = await open((error, context) => backgroundErrors.push(`${context}: ${String(error)}`));
      c = subject.primary;
      await c.ready();
    });
    afterEach(async () => {
      await dispose(subject);
      // Errors with no caller are a contract breach too (the throwing-handler test empties its own).
      assert.deepEqual(backgroundErrors, []);
    });

    describe('queue', () => {
      it('delivers added jobs with their name, a JSON copy of their data and attempt 1', async () => {
        const q = c.queue<{ n: number; at?: unknown }>(unique('basic'));
        const seen: Job<{ n: number; at?: unknown }>[] = [];
        q.process(async (job) => { seen.push(job); });
        await q.add('first', { n: 1, at: new Date('2024-01-02T03:04:05.000Z') });
        await q.add('second', { n: 2 });
        await waitFor('two jobs', () => seen.length === 2);
        const sorted = [...seen].sort((a, b) => a.data.n - b.data.n);
        assert.deepEqual(sorted.map((j) => [j.name, j.data, j.attempt]), [
          ['first', { n: 1, at: '2024-01-02T03:04:05.000Z' }, 1],
          ['second', { n: 2 }, 1],
        ]);
        assert.notEqual(sorted[0].id, sorted[1].id);
        await waitFor('queue drained', async () => (await q.counts()).active === 0);
        assert.deepEqual(await q.counts(), { waiting: 0, delayed: 0, active: 0, failed: 0 });
      });

      it('adds in bulk and delivers in order to a single-slot consumer', async () => {
        const q = c.queue<number>(unique('bulk'));
        await q.addBulk(Array.from({ length: 20 }, (_, i) => ({ name: 'n', data: i })));
        assert.equal((await q.counts()).waiting, 20);
        const seen: number[] = [];
        q.process(async (job) => { seen.push(job.data); });
        await waitFor('20 jobs', () => seen.length === 20);
        assert.deepEqual(seen, Array.from({ length: 20 }, (_, i) => i));
      });

      it('runs at most `concurrency` handlers at once', async () => {
        const q = c.queue<number>(unique('concurrency'));
        const hold = gate();
        let running = 0;
        let most = 0;
        let finished = 0;
        q.process(async () => {
          running++;
          most = Math.max(most, running);
          await hold.promise;
          running--;
          finished++;
        }, { concurrency: 3 });
        await q.addBulk(Array.from({ length: 7 }, (_, i) => ({ name: 'n', data: i })));
        await waitFor('three running', () => running === 3);
        await sleep(100); // room for a fourth to start if the limit were broken
        assert.equal(running, 3);
        const held = await q.counts();
        assert.equal(held.active, 3);
        assert.equal(held.waiting, 4);
        hold.open();
        await waitFor('all finished', () => finished === 7);
        assert.equal(most, 3);
      });

      it('delivers a delayed job after its delay and after jobs added later without one', async () => {
        const q = c.queue<string>(unique('delayed'));
        const order: string[] = [];
        let delayedAt = 0;
        q.process(async (job) => {
          order.push(job.data);
          if (job.data === 'later') delayedAt = Date.now();
        });
        const addedAt = Date.now();
        await q.add('d', 'later', { delayMs: 400 });
        assert.equal((await q.counts()).delayed, 1);
        await q.add('d', 'now');
        await waitFor('both delivered', () => order.length === 2);
        assert.deepEqual(order, ['now', 'later']);
        // Timers and Redis round ms; allow that much, never a real early delivery.
        assert.ok(delayedAt - addedAt >= 400 - 2, `delivered after ${delayedAt - addedAt} ms, before its 400 ms delay`);
      });

      it('retries a failing job with backoff, then counts it failed', async () => {
        const q = c.queue<string>(unique('retry'));
        const attempts: { data: string; attempt: number; at: number }[] = [];
        q.process(async (job) => {
          attempts.push({ data: job.data, attempt: job.attempt, at: Date.now() });
          if (job.data === 'doomed' || job.attempt < 2) throw new Error(`attempt ${job.attempt} fails`);
        });
        await q.add('r', 'doomed', { attempts: 3, backoffMs: 150 });
        await q.add('r', 'recovers', { attempts: 3 });
        await waitFor('one failed job', async () => (await q.counts()).failed === 1);
        const doomed = attempts.filter((a) => a.data === 'doomed');
        assert.deepEqual(doomed.map((a) => a.attempt), [1, 2, 3]);
        for (let i = 1; i < doomed.length; i++) {
          const gap = doomed[i].at - doomed[i - 1].at;
          assert.ok(gap >= 150 - 2, `retry ${i} came ${gap} ms after the failure, before the 150 ms backoff`);
        }
        assert.deepEqual(attempts.filter((a) => a.data === 'recovers').map((a) => a.attempt), [1, 2]);
        await sleep(50);
        assert.deepEqual(await q.counts(), { waiting: 0, delayed: 0, active: 0, failed: 1 });
      });

      it('does not add a job twice while one with the same jobId is pending, and accepts it again once done', async () => {
        const q = c.queue<number>(unique('dedup'));
        const seen: number[] = [];
        await q.add('x', 1, { jobId: 'task-1', delayMs: 200 });
        await q.add('x', 2, { jobId: 'task-1' });
        await q.addBulk([{ name: 'x', data: 3, opts: { jobId: 'task-1' } }, { name: 'x', data: 4, opts: { jobId: 'task-2' } }]);
        assert.deepEqual(await q.counts(), { waiting: 1, delayed: 1, active: 0, failed: 0 });
        q.process(async (job) => { seen.push(job.data); });
        await waitFor('two jobs', () => seen.length === 2);
        assert.deepEqual([...seen].sort(), [1, 4]);
        await waitFor('queue drained', async () => (await q.counts()).active === 0);
        await q.add('x', 5, { jobId: 'task-1' });
        await waitFor('re-added job', () => seen.length === 3);
        assert.equal(seen[2], 5);
      });

      it('stops processing on close, after running handlers finish, and keeps later jobs queued', async () => {
        const name = unique('close');
        const q = c.queue<string>(name);
        const hold = gate();
        const seen: string[] = [];
        const finished: string[] = [];
        q.process(async (job) => {
          seen.push(job.data);
          if (job.data === 'slow') await hold.promise;
          finished.push(job.data);
        });
        await q.add('c', 'slow');
        await waitFor('slow job running', () => seen.length === 1);
        let closed = false;
        const closing = q.close().then(() => { closed = true; });
        await sleep(50);
        assert.equal(closed, false, 'close resolved while a handler was still running');
        hold.open();
        await closing;
        assert.deepEqual(finished, ['slow']);
        await assert.rejects(q.add('c', 'refused'), (e: unknown) => e instanceof CoordinationError && e.code === 'queue_closed');
        const again = c.queue<string>(name);
        assert.notEqual(again, q);
        await again.add('c', 'after-close');
        await sleep(300);
        assert.deepEqual(seen, ['slow']);
        assert.equal((await again.counts()).waiting, 1);
        // A new consumer picks the queued job up.
        const late: string[] = [];
        again.process(async (job) => { late.push(job.data); });
        await waitFor('queued job delivered', () => late.length === 1);
        assert.deepEqual(late, ['after-close']);
      });

      it('rejects bad names and options with stable codes', async () => {
        assert.throws(() => c.queue('bad:name'), (e: unknown) => e instanceof CoordinationError && e.code === 'invalid_queue_name');
        const q = c.queue(unique('validation'));
        await assert.rejects(q.add('j', 1, { delayMs: -1 }), (e: unknown) => e instanceof CoordinationError && e.code === 'invalid_job');
        await assert.rejects(q.add('j', 1, { attempts: 0 }), (e: unknown) => e instanceof CoordinationError && e.code === 'invalid_job');
        await assert.rejects(q.add('j', undefined), (e: unknown) => e instanceof CoordinationError && e.code === 'invalid_job');
        await assert.rejects(q.addBulk([{ name: 'ok', data: 1 }, { name: '', data: 2 }]), (e: unknown) => e instanceof CoordinationError && e.code === 'invalid_job');
        assert.equal((await q.counts()).waiting, 0, 'a bulk add with one bad job added the others');
        q.process(async () => {});
        assert.throws(() => q.process(async () => {}), (e: unknown) => e instanceof CoordinationError && e.code === 'queue_already_processing');
      });
    });

    describe('events', () => {
      it('fans every message out to subscribers in two processes, in order, per channel', async () => {
        const channel = unique('task');
        const a: unknown[] = [];
        const b: unknown[] = [];
        const other: unknown[] = [];
        const offA = await c.events.subscribe(channel, (m) => a.push(m));
        await subject.peer.events.subscribe(channel, (m) => b.push(m));
        await subject.peer.events.subscribe(unique('elsewhere'), (m) => other.push(m));
        for (let i = 1; i <= 3; i++) await c.events.publish(channel, { seq: i, at: new Date(0) });
        await waitFor('three messages each', () => a.length === 3 && b.length === 3);
        const expected = [1, 2, 3].map((seq) => ({ seq, at: '1970-01-01T00:00:00.000Z' }));
        assert.deepEqual(a, expected);
        assert.deepEqual(b, expected);
        await offA();
        await subject.peer.events.publish(channel, { seq: 4 });
        await waitFor('fourth message', () => b.length === 4);
        await sleep(50);
        assert.equal(a.length, 3, 'an unsubscribed handler still received a message');
        assert.deepEqual(other, []);
      });

      it('publishes a batch in order across channels, and refuses a batch with a message JSON cannot carry', async () => {
        const one = unique('batch-one');
        const two = unique('batch-two');
        const got: string[] = [];
        await subject.peer.events.subscribe(one, (m) => got.push(`one:${(m as { seq: number }).seq}`));
        await subject.peer.events.subscribe(two, (m) => got.push(`two:${(m as { seq: number }).seq}`));
        await c.events.publishAll([{ channel: one, message: { seq: 1 } }, { channel: two, message: { seq: 2 } }, { channel: one, message: { seq: 3 } }]);
        await waitFor('three batched messages', () => got.length === 3);
        assert.deepEqual(got, ['one:1', 'two:2', 'one:3']);
        await assert.rejects(c.events.publishAll([{ channel: one, message: { seq: 4 } }, { channel: one, message: { n: 1n } }]), /not serialisable/);
        await sleep(50);
        assert.deepEqual(got, ['one:1', 'two:2', 'one:3'], 'a refused batch delivered part of itself');
      });

      it('keeps delivering to other handlers when one throws', async () => {
        const channel = unique('throwing');
        const got: unknown[] = [];
        await c.events.subscribe(channel, () => { throw new Error('handler bug'); });
        await c.events.subscribe(channel, (m) => got.push(m));
        await c.events.publish(channel, 'hello');
        await waitFor('message after a throwing handler', () => got.length === 1);
        assert.deepEqual(got, ['hello']);
        await waitFor('the handler error reported', () => backgroundErrors.length === 1);
        assert.match(backgroundErrors[0], /channel "throwing-.*handler bug/);
        backgroundErrors.length = 0;
      });
    });

    describe('leases', () => {
      it('gives a key to one holder at a time', async () => {
        const key = unique('lease');
        const lease = await c.leases.acquire(key, 10_000);
        assert.ok(lease);
        assert.equal(lease.key, key);
        assert.equal(await subject.peer.leases.acquire(key, 10_000), null);
        assert.equal(await c.leases.acquire(key, 10_000), null);
        assert.equal(await subject.peer.leases.isHeld(key), true);
        assert.ok(await subject.peer.leases.acquire(unique('lease-other'), 10_000));
        await lease.release();
      });

      it('renews only while held, and release frees the key for the next holder only', async () => {
        const key = unique('renew');
        const first = await c.leases.acquire(key, 10_000);
        assert.ok(first);
        assert.equal(await first.renew(), true);
        assert.equal(await first.renew(20_000), true);
        await first.release();
        assert.equal(await c.leases.isHeld(key), false);
        assert.equal(await first.renew(), false);
        const second = await subject.peer.leases.acquire(key, 10_000);
        assert.ok(second);
        assert.notEqual(second.token, first.token);
        await first.release(); // a stale holder's release must not free the successor's lease
        assert.equal(await c.leases.isHeld(key), true);
        assert.equal(await first.renew(), false);
        await second.release();
      });

      it('expires a lease that is not renewed', async () => {
        const key = unique('expiry');
        const lease = await c.leases.acquire(key, 150);
        assert.ok(lease);
        await waitFor('lease expiry', async () => !(await c.leases.isHeld(key)));
        assert.equal(await lease.renew(), false);
        const next = await subject.peer.leases.acquire(key, 10_000);
        assert.ok(next, 'an expired lease could not be acquired');
        await next.release();
      });

      it('rejects unusable ttls', async () => {
        await assert.rejects(c.leases.acquire(unique('ttl'), 0), (e: unknown) => e instanceof CoordinationError && e.code === 'invalid_lease');
      });
    });

    it('refuses work after close', async () => {
      await c.close();
      assert.throws(() => c.queue(unique('closed')), (e: unknown) => e instanceof CoordinationError && e.code === 'coordination_closed');
      const closedError = (e: unknown) => e instanceof CoordinationError && e.code === 'coordination_closed';
      await assert.rejects(c.ready(), closedError);
      await assert.rejects(c.leases.acquire(unique('closed'), 1000), closedError);
      await assert.rejects(c.events.publish(unique('closed'), 1), closedError);
    });
  });
}
