import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { coordinationContract, waitFor } from './coordination-contract.js';
import { createCoordination } from './index.js';
import type { BackgroundErrorHandler, Coordination } from './interface.js';
import { keepLease } from './lease-keeper.js';

const redisUrl = process.env.OPSLOOM_TEST_REDIS ?? 'redis://127.0.0.1:6379';
/** One prefix per run, so parallel test files and earlier runs never meet. */
const prefix = `opsloom-test-${randomBytes(6).toString('hex')}`;
const opened: Coordination[] = [];

function open(onError?: BackgroundErrorHandler): Coordination {
  const coordination = createCoordination({ redisUrl, prefix, onError });
  opened.push(coordination);
  return coordination;
}

after(async () => {
  await Promise.all(opened.map((c) => c.close()));
  const redis = new Redis(redisUrl);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) await redis.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    await redis.quit();
  }
});

// Two coordinations on one Redis play two core processes.
coordinationContract('Redis', async (onError) => ({ primary: open(onError), peer: open(onError) }), async ({ primary, peer }) => {
  await Promise.all([primary.close(), peer.close()]);
});

describe('Redis coordination', () => {
  it('reports its engine and answers ready', async () => {
    const coordination = open();
    assert.equal(coordination.kind, 'redis');
    await coordination.ready();
  });

  it('delivers a job added by one process to a consumer in another', async () => {
    const producer = open();
    const consumer = open();
    const seen: string[] = [];
    consumer.queue<string>('cross').process(async (job) => { seen.push(job.data); });
    await producer.queue<string>('cross').add('x', 'from the producer');
    await waitFor('cross-process job', () => seen.length === 1);
    assert.deepEqual(seen, ['from the producer']);
  });

  it('expires the lease of a holder that is killed, while a live holder keeps it', async () => {
    const key = 'role:scheduler';
    const ttlMs = 1000;
    const fixture = fileURLToPath(new URL('./lease-holder.fixture.js', import.meta.url));
    const child = spawn(process.execPath, [fixture, redisUrl, prefix, key, String(ttlMs)], { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = once(child, 'exit');
    try {
      let out = '';
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', (chunk: string) => { out += chunk; });
      await waitFor('child to acquire the lease', () => out.includes('\n'), 10_000);
      assert.match(out, /^acquired /);
      const observer = open();
      // Alive and renewing: still held well past its ttl.
      await sleep(ttlMs * 2);
      assert.equal(await observer.leases.isHeld(key), true);
      assert.equal(await observer.leases.acquire(key, 10_000), null);
      child.kill('SIGKILL');
      await exited;
      // Killed: nobody renews, so Redis expires it and another holder gets it.
      await waitFor('lease of the killed holder to expire', async () => !(await observer.leases.isHeld(key)), 10_000);
      const successor = await observer.leases.acquire(key, 10_000);
      assert.ok(successor);
      await successor.release();
    } finally {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await exited;
      }
    }
  });

  it('keepLease reports the loss when another holder takes over', async () => {
    const coordination = open();
    const key = 'keeper';
    const lease = await coordination.leases.acquire(key, 5_000);
    assert.ok(lease);
    let lost: string | undefined;
    const keeper = keepLease(lease, { ttlMs: 5_000, intervalMs: 20, onLost: (reason) => { lost = reason; } });
    try {
      await lease.release();
      const thief = await coordination.leases.acquire(key, 5_000);
      assert.ok(thief);
      await waitFor('loss reported', () => lost !== undefined);
      assert.equal(lost, 'taken');
      assert.equal(await thief.renew(), true);
    } finally {
      keeper.stop();
    }
  });
});
