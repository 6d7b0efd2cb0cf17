/**
 * Under sustained concurrency a plugin version keeps as many idle isolates as its calls held at
 * once lately, so the next burst does not make them again; once the bursts stop they are trimmed
 * back to `idlePerPlugin`.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { EngineCall, EffectiveLimits } from '../interface.js';
import { testContext } from '../testing/fixtures.js';
import { IsolateEngine } from './isolate-engine.js';

const engine = new IsolateEngine({ idlePerPlugin: 2, maxLoaded: 10, maxIdleTotal: 256, peakWindowMs: 100 });
after(() => engine.close());
const key = 'test/burst@1.0.0';
const limits: EffectiveLimits = { memoryMb: 16, timeoutMs: 5000, outputBytes: 65536, hostCallsPerSecond: 1000 };
// Each call waits on a host call, so a burst of calls holds an isolate each until released.
const code = `var __opsloomPlugin = definePlugin({ async execute(inputs) { await host.cmdb.read({}); return { n: inputs.n }; } });`;

/** `size` calls at once; `whileHeld` runs while each holds an isolate. */
async function burst(size: number, whileHeld = (): void => undefined): Promise<void> {
  const held: (() => void)[] = [];
  const calls = Array.from({ length: size }, (_, n) => engine.invoke({
    key, call: 'execute', limits, canLog: false, alone: false, signal: new AbortController().signal,
    payload: JSON.stringify({ inputs: { n }, state: null, data: null, context: testContext() }),
    host: () => new Promise((resolve) => held.push(() => resolve([]))),
    log: () => undefined,
  } satisfies EngineCall));
  while (held.length < size) await sleep(5);
  whileHeld();
  for (const release of held) release();
  const outcomes = await Promise.all(calls);
  outcomes.forEach((o, n) => assert.deepEqual(typeof o === 'string' ? JSON.parse(o) : o, { status: 'done', outputs: { n } }));
  await sleep(0); // isolates go back to the pool after the results
}

test('isolates of a burst are kept for the next burst, then trimmed back to idlePerPlugin', async () => {
  await engine.load(key, code, limits);
  await burst(6);
  assert.equal(engine.stats().live, 6, 'all six kept idle after the burst');
  await burst(6, () => assert.equal(engine.stats().live, 6, 'the second burst made no isolate'));
  assert.equal(engine.stats().live, 6);
  const deadline = Date.now() + 3000;
  while (engine.stats().live > 2 && Date.now() < deadline) await sleep(20);
  assert.equal(engine.stats().live, 2, 'trimmed back once the bursts stopped');
});
