import assert from 'node:assert/strict';
import { test } from 'node:test';
import { reconnectDelay } from './backoff.js';
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

test('reconnect delays grow, stay within bounds and are jittered', () => {
  const o = { baseMs: 1000, maxMs: 30_000 };
  assert.equal(reconnectDelay(0, o, () => 0), 500);
  assert.equal(reconnectDelay(0, o, () => 1), 1000);
  assert.equal(reconnectDelay(3, o, () => 0), 4000);
  assert.equal(reconnectDelay(3, o, () => 1), 8000);
  assert.equal(reconnectDelay(20, o, () => 1), 30_000);
  assert.equal(reconnectDelay(1000, o, () => 0), 15_000);
  // A fleet reconnecting after a core restart spreads over the window instead of arriving at once.
  const first = Array.from({ length: 1000 }, () => reconnectDelay(0, o));
  assert.ok(first.every((d) => d >= 500 && d <= 1000));
  assert.ok(new Set(first).size > 200, `only ${new Set(first).size} distinct delays`);
  const low = first.filter((d) => d < 750).length;
  assert.ok(low > 300 && low < 700, `${low} of 1000 in the lower half`);
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
