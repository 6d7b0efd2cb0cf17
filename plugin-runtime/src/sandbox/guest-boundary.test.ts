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
