import assert from 'node:assert/strict';
import { test } from 'node:test';
import { reconnectDelay, refusedDelay, removedDelay } from './backoff.js';
import { Outbox } from './outbox.js';
import { type LogChunk, OutputChunker } from './output-chunker.js';
import { splitParams } from './params.js';
import { swarmIp } from './swarm.js';

test('splitParams splits like a shell without expanding anything', () => {
  assert.deepEqual(splitParams(''), []);
  assert.deepEqual(splitParams(`a  'b c' "d \\"e\\"" f\\ g`), ['a', 'b c', 'd "e"', 'f g']);
  assert.deepEqual(splitParams(`$HOME * $(reboot) ''`), ['$HOME', '*', '$(reboot)', '']);
  assert.deepEqual(splitParams(`x"y"'z'`), ['xyz']);
  assert.throws(() => splitParams(`'open`), { code: 'PARAMS_INVALID' });
  assert.throws(() => splitParams(`"open`), { code: 'PARAMS_INVALID' });
  assert.throws(() => splitParams('trailing\\'), { code: 'PARAMS_INVALID' });
});

test('the first reconnect is spread over the base window, later ones grow to the cap with jitter', () => {
  const o = { baseMs: 1000, maxMs: 10_000, removedMs: 300_000 };
  assert.equal(reconnectDelay(0, o, () => 0), 0);
  assert.equal(reconnectDelay(0, o, () => 1), 1000);
  assert.equal(reconnectDelay(1, o, () => 0), 1000);
  assert.equal(reconnectDelay(1, o, () => 1), 2000);
  assert.equal(reconnectDelay(3, o, () => 0), 4000);
  assert.equal(reconnectDelay(3, o, () => 1), 8000);
  assert.equal(reconnectDelay(4, o, () => 1), 10_000);
  assert.equal(reconnectDelay(20, o, () => 0), 5000);
  assert.equal(reconnectDelay(1000, o, () => 1), 10_000);
  // While core is down an agent knocks at most every maxMs, at least every maxMs / 2: once core is
  // back, every agent has tried again within maxMs.
  let at = 0;
  const attempts: number[] = [];
  for (let i = 0; i < 12; i++) attempts.push(at += reconnectDelay(i, o));
  const gaps = attempts.slice(1).map((t, i) => t - (attempts[i] as number));
  assert.ok(gaps.every((g) => g <= 10_000), `gaps ${gaps.join(',')}`);
  assert.ok(gaps.slice(4).every((g) => g >= 5000), `gaps ${gaps.join(',')}`);
  // A fleet dropped at once by a core restart spreads its first attempts evenly over the window.
  const first = Array.from({ length: 10_000 }, () => reconnectDelay(0, o));
  assert.ok(first.every((d) => d >= 0 && d <= 1000));
  const perTenth = Array.from({ length: 10 }, (_, k) => first.filter((d) => d >= k * 100 && d < (k + 1) * 100).length);
  assert.ok(perTenth.every((n) => n > 700 && n < 1300), `per 100 ms: ${perTenth.join(',')}`);
  // Later attempts stay spread too: no instant where the fleet arrives together.
  const fifth = Array.from({ length: 10_000 }, () => reconnectDelay(5, o));
  assert.ok(fifth.every((d) => d >= 5000 && d <= 10_000));
  assert.ok(new Set(fifth).size > 3000, `only ${new Set(fifth).size} distinct delays`);
});

test('after core refused the agent it waits longer than any backoff, still jittered', () => {
  const o = { baseMs: 1000, maxMs: 10_000, removedMs: 300_000 };
  assert.equal(refusedDelay(o, () => 0), 15_000);
  assert.equal(refusedDelay(o, () => 1), 30_000);
  const d = Array.from({ length: 1000 }, () => refusedDelay(o));
  assert.ok(d.every((x) => x > reconnectDelay(1000, o, () => 1)));
  assert.ok(new Set(d).size > 500);
});

test('a host removed by an administrator asks again only every few minutes, still jittered', () => {
  const o = { baseMs: 1000, maxMs: 10_000, removedMs: 300_000 };
  assert.equal(removedDelay(o, () => 0), 150_000);
  assert.equal(removedDelay(o, () => 1), 300_000);
  const d = Array.from({ length: 1000 }, () => removedDelay(o));
  assert.ok(d.every((x) => x > refusedDelay(o, () => 1)), 'longer than after any other refusal');
  assert.ok(new Set(d).size > 500, 'a fleet removed at once does not come back together');
});

test('outbox numbers messages, keeps them until acked and re-sends in order', () => {
  const box = new Outbox();
  const a = JSON.parse(box.add({ type: 'run-state', runId: 'r1', state: 'running', at: 1 })) as { seq: number };
  const b = JSON.parse(box.add({ type: 'output', runId: 'r1', offset: 0, data: 'aGk=', stream: 'stdout' })) as { seq: number };
  box.add({ type: 'run-state', runId: 'r2', state: 'running', at: 1 });
  assert.deepEqual([a.seq, b.seq], [1, 2]);
  assert.equal(box.size, 3);
  assert.deepEqual([...box.runs()].sort(), ['r1', 'r2']);
  box.ack([2, 2, 99]);
  assert.deepEqual([...box.pending()].map((t) => (JSON.parse(t) as { seq: number }).seq), [1, 3]);
  box.ack([1]);
  assert.deepEqual([...box.runs()], ['r2']);
  box.ack([3]);
  assert.equal(box.size, 0);
  assert.equal(box.bytes, 0);
  assert.match(box.epoch, /^[0-9a-f]{16}$/);
});

test('chunker slices bytes by offset without decoding and honours the log limit', async () => {
  const chunks: LogChunk[] = [];
  const c = new OutputChunker({ chunkBytes: 4, flushMs: 10_000, maxLogBytes: 11 }, (x) => chunks.push(x));
  c.push('stdout', Buffer.from([0xe4, 0xb8]));
  c.push('stdout', Buffer.from([0xad, 0xff, 0x00]));
  c.push('stderr', Buffer.from('err'));
  c.push('stdout', Buffer.from('toolong'));
  c.flush();
  assert.deepEqual(chunks.map((x) => [x.offset, x.stream, x.bytes.length]), [[0, 'stdout', 4], [4, 'stdout', 1], [5, 'stderr', 3], [8, 'stdout', 3]]);
  assert.deepEqual(Buffer.concat(chunks.map((x) => x.bytes)), Buffer.concat([Buffer.from([0xe4, 0xb8, 0xad, 0xff, 0x00]), Buffer.from('errtoo')]));
  assert.equal(c.logBytes, 11);
  assert.equal(c.truncated, true);
});

test('swarm IPs are distinct valid host addresses', () => {
  assert.equal(swarmIp(0), '10.0.0.1');
  assert.equal(swarmIp(253), '10.0.0.254');
  assert.equal(swarmIp(254), '10.0.1.1');
  const ips = new Set(Array.from({ length: 20_000 }, (_, i) => swarmIp(i)));
  assert.equal(ips.size, 20_000);
  for (const ip of ips) assert.match(ip, /^10\.\d{1,3}\.\d{1,3}\.([1-9]\d?|1\d\d|2[0-4]\d|25[0-4])$/);
});
