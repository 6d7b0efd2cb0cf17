/**
 * Plugin runtime benchmark: prints a table of medians against raw isolated-vm / raw Extism doing
 * the same work, and against the limits. Run: `node --no-node-snapshot plugin-runtime/dist/bench/runtime-bench.js`.
 */
import { readFileSync } from 'node:fs';
import ivm from 'isolated-vm';
import { createPlugin } from '@extism/extism';
import { PluginRuntime } from '../runtime.js';
import type { InvokeRequest, PluginPackage } from '../interface.js';
import { isolatePlugin, testContext, wasmPlugin } from '../testing/fixtures.js';
import { buildWatPlugin } from '../testing/wat.js';

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};
const ms = (t0: bigint): number => Number(process.hrtime.bigint() - t0) / 1e6;
const rows: string[][] = [];
const row = (what: string, value: string, peer: string, verdict: string): void => {
  rows.push([what, value, peer, verdict]);
};

const payload = { items: Array.from({ length: 20 }, (_, i) => ({ id: i, name: `host-${i}`, ip: `10.0.0.${i}` })) };
const payloadJson = JSON.stringify(payload);
const rss = (pid: number | undefined): number => {
  if (!pid) return 0;
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : 0;
};

async function main(): Promise<void> {
  const runtime = new PluginRuntime({ poolSize: 2 });
  const call = (plugin: PluginPackage, inputs: Record<string, unknown> = {}): Promise<unknown> =>
    runtime.invoke({ plugin, call: 'execute', inputs, context: testContext(), approvedCapabilities: [] } as InvokeRequest, {});
  const echoBody = '{ execute(inputs) { return inputs; } }';
  await call(isolatePlugin(echoBody)); // the pool's processes are warm

  // 1. Cold start: first call of a plugin version never seen before.
  const cold: number[] = [];
  for (let i = 0; i < 40; i++) {
    const p = isolatePlugin(echoBody);
    const t0 = process.hrtime.bigint();
    await call(p, payload);
    cold.push(ms(t0));
  }
  row('isolate cold start (first call after load), median', `${median(cold).toFixed(2)} ms`, 'limit 3 ms', median(cold) <= 3 ? 'ok' : 'over');

  // 2. Warm call, 1 KiB JSON in and out, vs raw isolated-vm applySync on the same payload.
  const warmPlugin = isolatePlugin(echoBody);
  for (let i = 0; i < 200; i++) await call(warmPlugin, payload);
  const warm: number[] = [];
  let warmFailures = 0;
  for (let i = 0; i < 2000; i++) {
    const t0 = process.hrtime.bigint();
    const r = (await call(warmPlugin, payload)) as { status: string };
    warm.push(ms(t0));
    if (r.status !== 'done') warmFailures++;
  }
  if (warmFailures) console.error(`warm calls failed: ${warmFailures}`);
  const iso = new ivm.Isolate({ memoryLimit: 32 });
  const ctx = iso.createContextSync();
  const fn = iso.compileScriptSync('(s) => JSON.stringify(JSON.parse(s))').runSync(ctx, { reference: true }) as ivm.Reference;
  const raw: number[] = [];
  for (let i = 0; i < 2000; i++) {
    const t0 = process.hrtime.bigint();
    fn.applySync(undefined, [payloadJson], { arguments: { copy: true }, result: { copy: true } });
    raw.push(ms(t0));
  }
  iso.dispose();
  // Calls spaced as a flow engine makes them: the next context is prepared between calls.
  const spaced: number[] = [];
  for (let i = 0; i < 300; i++) {
    await new Promise((r) => setTimeout(r, 3));
    const t0 = process.hrtime.bigint();
    await call(warmPlugin, payload);
    spaced.push(ms(t0));
  }
  const spacedRatio = median(spaced) / median(raw);
  const warmRatio = median(warm) / median(raw);
  row('isolate warm call, same payload, spaced 3 ms, median', `${(median(spaced) * 1000).toFixed(1)} µs`, `raw applySync (×${spacedRatio.toFixed(1)})`, spacedRatio <= 2 ? 'ok' : 'over ×2');
  row(`isolate warm call back-to-back, ${payloadJson.length} B JSON in/out, median`, `${(median(warm) * 1000).toFixed(1)} µs`, `raw applySync ${(median(raw) * 1000).toFixed(1)} µs (×${warmRatio.toFixed(1)})`, warmRatio <= 2 ? 'ok' : 'over ×2');

  // 3. Wasm warm call vs raw Extism in the same mode (worker).
  const echo = await buildWatPlugin({
    strings: { pre: '{"status":"done","outputs":{"input":', end: '}}' },
    exports: { execute: `(call $begin (i64.add (i64.add {{len:pre}} (call $input_length)) {{len:end}})) {{emit:pre}} (call $put_input) {{emit:end}} (call $finish)` },
  });
  const wp = wasmPlugin(echo);
  for (let i = 0; i < 50; i++) await call(wp, payload);
  const wasmWarm: number[] = [];
  for (let i = 0; i < 500; i++) {
    const t0 = process.hrtime.bigint();
    await call(wp, payload);
    wasmWarm.push(ms(t0));
  }
  const extism = await createPlugin({ wasm: [{ data: echo }] }, { runInWorker: true, useWasi: false, functions: { 'extism:host/user': { opsloom_host: () => 0n } } });
  const input = JSON.stringify({ inputs: payload, state: null, data: null, context: testContext() });
  for (let i = 0; i < 50; i++) await extism.call('execute', input);
  const rawWasm: number[] = [];
  for (let i = 0; i < 500; i++) {
    const t0 = process.hrtime.bigint();
    (await extism.call('execute', input))?.json();
    rawWasm.push(ms(t0));
  }
  await extism.close();
  const wasmRatio = median(wasmWarm) / median(rawWasm);
  row('wasm warm call, same payload, median', `${(median(wasmWarm) * 1000).toFixed(1)} µs`, `raw Extism (worker) ${(median(rawWasm) * 1000).toFixed(1)} µs (×${wasmRatio.toFixed(1)})`, wasmRatio <= 2 ? 'ok' : 'over ×2');

  // 4. Timeout accuracy at 50 ms.
  const overshoot: number[] = [];
  for (let i = 0; i < 10; i++) {
    const p = isolatePlugin('{ execute() { for (;;) {} } }', { limits: { memoryMb: 16, timeoutMs: 50 } });
    await call(isolatePlugin(echoBody));
    const t0 = process.hrtime.bigint();
    await call(p);
    overshoot.push(ms(t0) - 50);
  }
  row('isolate 50 ms timeout, overshoot median (max)', `${median(overshoot).toFixed(1)} ms (${Math.max(...overshoot).toFixed(1)})`, 'limit 20 ms', Math.max(...overshoot) <= 20 ? 'ok' : 'over');
  const loop = wasmPlugin(await buildWatPlugin({ exports: { execute: '(loop $l (br $l))' } }), { limits: { memoryMb: 16, timeoutMs: 50 } });
  const wasmOver: number[] = [];
  for (let i = 0; i < 8; i++) {
    await call(wp, payload);
    const t0 = process.hrtime.bigint();
    await call(loop);
    wasmOver.push(ms(t0) - 50);
  }
  row('wasm 50 ms timeout, overshoot median (max)', `${median(wasmOver).toFixed(1)} ms (${Math.max(...wasmOver).toFixed(1)})`, 'limit 60 ms', Math.max(...wasmOver) <= 60 ? 'ok' : 'over');

  // 5. 1,000 loaded, idle plugin versions: resident memory of the sandbox processes + core.
  const before = runtime.stats().pids.reduce((s: number, pid) => s + rss(pid), 0);
  for (let i = 0; i < 1000; i++) await call(isolatePlugin(`{ execute(inputs) { return { n: ${i} }; } }`));
  await new Promise((r) => setTimeout(r, 500));
  const sandboxes = runtime.stats().pids.reduce((s: number, pid) => s + rss(pid), 0);
  const total = sandboxes + rss(process.pid);
  row('1,000 loaded idle isolate plugin versions, RSS', `${total.toFixed(0)} MB (sandboxes ${sandboxes.toFixed(0)} MB, were ${before.toFixed(0)} MB)`, 'limit 1536 MB', total <= 1536 ? 'ok' : 'over');

  await runtime.close();
  const widths = [0, 1, 2, 3].map((c) => Math.max(...[['measure', 'value', 'peer / limit', 'verdict'], ...rows].map((r) => r[c].length)));
  const line = (r: string[]): string => `| ${r.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  console.log(line(['measure', 'value', 'peer / limit', 'verdict']));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const r of rows) console.log(line(r));
}

void main();
