/**
 * What a hostile isolate plugin can push across to its sandbox process is bounded before it is
 * copied out of the isolate: a copy lands in the process every other call shares, so an unbounded
 * one (a flood of huge log lines or host calls) would take them all down with it.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import type { EngineCall, EffectiveLimits, WireOutcome } from '../interface.js';
import { testContext } from '../testing/fixtures.js';
import { IsolateEngine } from './isolate-engine.js';

const engine = new IsolateEngine({ idlePerPlugin: 1, maxLoaded: 10, maxIdleTotal: 16 });
after(() => engine.close());
const limits: EffectiveLimits = { memoryMb: 64, timeoutMs: 10_000, outputBytes: 65536, hostCallsPerSecond: 1000 };
let versions = 0;

/** Runs `body` (an object literal defining `execute`) once, with `host` and `log` as the sandbox process sees them. */
async function run(body: string, host: EngineCall['host'], log: EngineCall['log'] = () => undefined): Promise<unknown> {
  const key = `test/boundary@1.0.${++versions}`;
  await engine.load(key, `var __opsloomPlugin = definePlugin(${body});`, limits);
  const outcome: WireOutcome = await engine.invoke({
    key, call: 'execute', limits, canLog: true, alone: true, signal: new AbortController().signal,
    payload: JSON.stringify({ inputs: {}, state: null, data: null, context: testContext() }), host, log,
  });
  return typeof outcome === 'string' ? JSON.parse(outcome) : outcome;
}

test('a log line is cut to 8 KiB inside the isolate, before it is copied out', async () => {
  const sizes: number[] = [];
  const r = await run(`{ execute() {
    const big = 'x'.repeat(4 * 1024 * 1024);
    host.log(big);
    host.log.warn('a', big, big);
    return {};
  } }`, async () => null, (_level, message) => sizes.push(String(message).length));
  assert.deepEqual(r, { status: 'done', outputs: {} });
  assert.deepEqual(sizes, [8192, 8192]);
});

test('host-call arguments over 1 MiB of JSON are refused inside the isolate', async () => {
  const received: number[] = [];
  const r = await run(`{ async execute() {
    const big = 'x'.repeat(2 * 1024 * 1024);
    const codes = [];
    for (let i = 0; i < 3; i++) await host.notify.send({ big }).catch((e) => codes.push(e.code));
    await host.notify.send({ small: 'ok' });
    return { codes };
  } }`, async (_op, args) => {
    received.push(JSON.stringify(args).length);
    return null;
  });
  assert.deepEqual(r, { status: 'done', outputs: { codes: ['HOST_CALL_TOO_LARGE', 'HOST_CALL_TOO_LARGE', 'HOST_CALL_TOO_LARGE'] } });
  assert.deepEqual(received, [14], 'only the small call reached the sandbox process');
});

test('at most 16 host calls are with the sandbox process at once; the rest wait in the isolate and all are answered', async () => {
  let waiting = 0;
  let most = 0;
  const r = await run(`{ async execute() {
    const all = [];
    for (let i = 0; i < 100; i++) all.push(host.cmdb.read({ i }));
    const answers = await Promise.all(all);
    return { n: answers.length, sum: answers.reduce((a, b) => a + b, 0) };
  } }`, async (_op, args) => {
    most = Math.max(most, ++waiting);
    await new Promise((resolve) => setImmediate(resolve));
    waiting--;
    return (args as { i: number }).i;
  });
  assert.deepEqual(r, { status: 'done', outputs: { n: 100, sum: 4950 } });
  assert.equal(most, 16);
});
