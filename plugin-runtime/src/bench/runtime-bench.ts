/**
 * Plugin runtime benchmark: prints a table of medians, each next to a raw peer measured side by
 * side in the same run (isolated-vm `applySync`, Extism in a worker), or next to the limit.
 * Run: `node --no-node-snapshot plugin-runtime/dist/bench/runtime-bench.js`.
 *
 * A call from core always crosses into a sandbox process (plugin code never runs in core), so the
 * table separates (a) the runtime's own work inside the sandbox process, compared with raw
 * `applySync`, from (b) the end-to-end call from core, compared with a raw peer that crosses a
 * process boundary the same way (and with in-process `applySync`, which no design with a process
 * hop can approach).
 */
import { readFileSync } from 'node:fs';
import ivm from 'isolated-vm';
import { createPlugin, type Plugin } from '@extism/extism';
import { PluginRuntime } from '../runtime.js';
import type { EffectiveLimits, InvokeRequest, InvokeResult, PluginPackage } from '../interface.js';
import type { FromSandbox, ToSandbox } from '../protocol.js';
import { SandboxDispatcher } from '../sandbox/dispatcher.js';
import { IsolateEngine } from '../sandbox/isolate-engine.js';
import { WasmEngine } from '../sandbox/wasm-engine.js';
import { isolatePlugin, testContext, wasmPlugin } from '../testing/fixtures.js';
import { buildWatPlugin } from '../testing/wat.js';
import { fmt, median, sideBySide, Table, timeMs } from './measure.js';
import { rawInChild } from './raw-peer.js';

const payload = { items: Array.from({ length: 20 }, (_, i) => ({ id: i, name: `host-${i}`, ip: `10.0.0.${i}` })) };
const payloadJson = JSON.stringify(payload);
const echoBody = '{ execute(inputs) { return inputs; } }';
const table = new Table();
const ratio = (a: number, b: number): string => `×${(a / b).toFixed(1)}`;
const within = (value: number, limit: number): string => (value <= limit ? 'ok' : 'over');
const rss = (pid: number | undefined): number => {
  if (!pid) return 0;
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : 0;
};

/** Raw isolated-vm in this process: the same JSON in and out, nothing else. */
function rawApplySync(): { call(): unknown; dispose(): void } {
  const isolate = new ivm.Isolate({ memoryLimit: 32 });
  const context = isolate.createContextSync();
  const fn = isolate.compileScriptSync('(s) => JSON.stringify(JSON.parse(s))').runSync(context, { reference: true }) as ivm.Reference;
  return { call: () => fn.applySync(undefined, [payloadJson], { arguments: { copy: true }, result: { copy: true } }), dispose: () => isolate.dispose() };
}

/** The sandbox process's own work, in this process: from the invoke message to the result message. */
function inProcessSandbox(): { call(runtime: 'isolate' | 'wasm', key: string, code: string): Promise<unknown>; close(): Promise<void> } {
  const options = { idlePerPlugin: 2, maxLoaded: 2000, maxIdleTotal: 256 };
  const waiting = new Map<number, (m: FromSandbox) => void>();
  const dispatcher = new SandboxDispatcher({ isolate: new IsolateEngine(options), wasm: new WasmEngine(options) }, (m) => {
    if (m.t === 'result') waiting.get(m.id)?.(m);
  });
  const limits: EffectiveLimits = { memoryMb: 32, timeoutMs: 2000, outputBytes: 1024 * 1024, hostCallsPerSecond: 50 };
  const loaded = new Set<string>();
  // Core encodes the guest's argument; the sandbox side starts from that text.
  const wirePayload = JSON.stringify({ inputs: payload, state: null, data: null, context: testContext() });
  let nextId = 1;
  return {
    call: (runtime, key, code) => new Promise((resolve) => {
      const id = nextId++;
      waiting.set(id, (m) => {
        waiting.delete(id);
        resolve(m);
      });
      const message: ToSandbox = {
        t: 'invoke', id, key, runtime, code: loaded.has(key) ? undefined : code, call: 'execute',
        payload: wirePayload, limits, capabilities: [],
      };
      loaded.add(key);
      dispatcher.handle(message);
    }),
    close: () => dispatcher.close(),
  };
}

async function main(): Promise<void> {
  const runtime = new PluginRuntime({ poolSize: 2 });
  const call = (plugin: PluginPackage, inputs: Record<string, unknown> = {}): Promise<InvokeResult> =>
    runtime.invoke({ plugin, call: 'execute', inputs, context: testContext(), approvedCapabilities: [] } as InvokeRequest, {});
  const mustBeDone = async (p: Promise<InvokeResult>): Promise<void> => {
    const r = await p;
    if (r.status !== 'done') throw new Error(`bench call failed: ${JSON.stringify(r)}`);
  };
  await call(isolatePlugin(echoBody)); // the pool's processes are up
  const raw = rawApplySync();
  const child = await rawInChild({ peer: 'isolate' }, payloadJson);
  const sandbox = inProcessSandbox();

  // 1. Cold start: the first call of a plugin version never seen before.
  const coldSpaced: number[] = [];
  const coldBurst: number[] = [];
  const rawCold: number[] = [];
  for (let i = 0; i < 30; i++) {
    await new Promise((r) => setTimeout(r, 30));
    coldSpaced.push(await timeMs(() => mustBeDone(call(isolatePlugin(echoBody), payload))));
    rawCold.push(await timeMs(() => {
      const isolate = new ivm.Isolate({ memoryLimit: 32 });
      const context = isolate.createContextSync();
      const fn = isolate.compileScriptSync('(s) => JSON.stringify(JSON.parse(s))').runSync(context, { reference: true }) as ivm.Reference;
      fn.applySync(undefined, [payloadJson], { arguments: { copy: true }, result: { copy: true } });
      isolate.dispose();
    }));
  }
  for (let i = 0; i < 30; i++) coldBurst.push(await timeMs(() => mustBeDone(call(isolatePlugin(echoBody), payload))));
  const rawColdMs = median(rawCold);
  table.row('isolate cold start, first call from core, new versions 30 ms apart', fmt(median(coldSpaced)), `limit 3 ms (raw isolate+context+compile+call in-process ${fmt(rawColdMs)})`, within(median(coldSpaced), 3));
  table.row('isolate cold start, first call from core, new versions back to back', fmt(median(coldBurst)), 'limit 3 ms', within(median(coldBurst), 3));

  // 2. Warm isolate call, 1 KiB JSON in and out.
  const warmPlugin = isolatePlugin(echoBody);
  const warmKey = `bench/warm#${Date.now()}`;
  for (let i = 0; i < 200; i++) {
    await mustBeDone(call(warmPlugin, payload));
    await sandbox.call('isolate', warmKey, warmPlugin.code as string);
  }
  const subjects = {
    sandbox: () => sandbox.call('isolate', warmKey, warmPlugin.code as string),
    raw: () => raw.call(),
    core: () => call(warmPlugin, payload),
    child: () => child.call(),
  };
  // Spaced as a flow engine makes calls: the next context is prepared between calls.
  const spaced = await sideBySide(subjects, 6, 50, 3);
  const b2b = await sideBySide(subjects, 10, 200);
  // Each call gets a fresh context (calls must not see each other's state): its creation bounds sustained back-to-back calls.
  const fresh = new ivm.Isolate({ memoryLimit: 32 });
  const freshCtx = await sideBySide({ context: () => fresh.createContextSync().release() }, 2, 100);
  fresh.dispose();
  const bytes = `${payloadJson.length} B JSON in/out`;
  table.row(`(a) isolate warm call, sandbox side, ${bytes}, 3 ms apart`, fmt(spaced.sandbox), `raw applySync ${fmt(spaced.raw)} (${ratio(spaced.sandbox, spaced.raw)}), goal ×2`, spaced.sandbox <= 2 * spaced.raw ? 'ok' : 'over ×2');
  table.row(`(a) isolate warm call, sandbox side, ${bytes}, back to back`, fmt(b2b.sandbox), `raw applySync ${fmt(b2b.raw)} (${ratio(b2b.sandbox, b2b.raw)}), goal ×2`, b2b.sandbox <= 2 * b2b.raw ? 'ok' : 'over ×2: a fresh context per call');
  table.row('    a fresh isolate context (raw createContextSync + release)', fmt(freshCtx.context), 'the floor of sustained back-to-back calls', '—');
  table.row('(b) isolate warm call from core (process hop), 3 ms apart', fmt(spaced.core), `raw applySync in a child over IPC ${fmt(spaced.child)} (${ratio(spaced.core, spaced.child)})`, spaced.core <= 2 * spaced.child ? 'ok ×2' : 'over ×2');
  table.row('(b) isolate warm call from core (process hop), back to back', fmt(b2b.core), `raw applySync in a child over IPC ${fmt(b2b.child)} (${ratio(b2b.core, b2b.child)})`, b2b.core <= 2 * b2b.child ? 'ok ×2' : 'over ×2');
  table.row('(b) isolate warm call from core vs in-process raw applySync', fmt(spaced.core), `raw applySync ${fmt(spaced.raw)} (${ratio(spaced.core, spaced.raw)})`, 'not reachable: one process round trip alone is ' + ratio(spaced.child, spaced.raw));

  // 3. Wasm warm call vs raw Extism in the same mode (worker).
  const echo = await buildWatPlugin({
    strings: { pre: '{"status":"done","outputs":{"input":', end: '}}' },
    exports: { execute: `(call $begin (i64.add (i64.add {{len:pre}} (call $input_length)) {{len:end}})) {{emit:pre}} (call $put_input) {{emit:end}} (call $finish)` },
  });
  const wp = wasmPlugin(echo);
  const wasmKey = `bench/wasm#${Date.now()}`;
  const wasmCode = Buffer.from(echo).toString('base64');
  const extism: Plugin = await createPlugin({ wasm: [{ data: echo }] }, { runInWorker: true, useWasi: false, functions: { 'extism:host/user': { opsloom_host: () => 0n } } });
  const input = JSON.stringify({ inputs: payload, state: null, data: null, context: testContext() });
  for (let i = 0; i < 50; i++) {
    await mustBeDone(call(wp, payload));
    await sandbox.call('wasm', wasmKey, wasmCode);
    await extism.call('execute', input);
  }
  const wasmChild = await rawInChild({ peer: 'wasm', wasm: wasmCode }, input);
  for (let i = 0; i < 50; i++) await wasmChild.call();
  const wasm = await sideBySide({
    sandbox: () => sandbox.call('wasm', wasmKey, wasmCode),
    core: () => call(wp, payload),
    raw: async () => (await extism.call('execute', input))?.json(),
    child: () => wasmChild.call(),
  }, 6, 80);
  await extism.close();
  wasmChild.close();
  table.row('(a) wasm warm call, sandbox side', fmt(wasm.sandbox), `raw Extism (worker) ${fmt(wasm.raw)} (${ratio(wasm.sandbox, wasm.raw)}), goal ×2`, wasm.sandbox <= 2 * wasm.raw ? 'ok' : 'over ×2');
  table.row('(b) wasm warm call from core (process hop)', fmt(wasm.core), `raw Extism (worker) in a child over IPC ${fmt(wasm.child)} (${ratio(wasm.core, wasm.child)})`, wasm.core <= 2 * wasm.child ? 'ok ×2' : 'over ×2');
  table.row('(b) wasm warm call from core vs in-process raw Extism (worker)', fmt(wasm.core), `raw Extism (worker) ${fmt(wasm.raw)} (${ratio(wasm.core, wasm.raw)})`, wasm.core <= 2 * wasm.raw ? 'ok ×2' : `over ×2: the process round trip alone is ${ratio(wasm.child, wasm.raw)}`);
  await sandbox.close();
  raw.dispose();
  child.close();

  // 4. Timeout accuracy at 50 ms.
  const overshoot: number[] = [];
  for (let i = 0; i < 10; i++) {
    const p = isolatePlugin('{ execute() { for (;;) {} } }', { limits: { memoryMb: 16, timeoutMs: 50 } });
    await call(isolatePlugin(echoBody));
    overshoot.push((await timeMs(() => call(p))) - 50);
  }
  // The machine's own timer accuracy: raw isolated-vm stopping the same loop at 50 ms.
  const rawOver: number[] = [];
  for (let i = 0; i < 10; i++) {
    const isolate = new ivm.Isolate({ memoryLimit: 16 });
    const spin = isolate.compileScriptSync('(function () { for (;;) {} })').runSync(isolate.createContextSync(), { reference: true }) as ivm.Reference;
    rawOver.push((await timeMs(() => spin.apply(undefined, [], { timeout: 50 }).catch(() => undefined))) - 50);
    isolate.dispose();
  }
  const overPeer = `limit 20 ms (raw isolated-vm timeout ${median(rawOver).toFixed(1)} ms (${Math.max(...rawOver).toFixed(1)}))`;
  table.row('isolate 50 ms timeout (a new version each time), overshoot median (max)', `${median(overshoot).toFixed(1)} ms (${Math.max(...overshoot).toFixed(1)})`, overPeer, within(Math.max(...overshoot), 20));
  const loop = wasmPlugin(await buildWatPlugin({ exports: { execute: '(loop $l (br $l))' } }), { limits: { memoryMb: 16, timeoutMs: 50 } });
  const wasmOver: number[] = [];
  for (let i = 0; i < 8; i++) {
    await call(wp, payload);
    wasmOver.push((await timeMs(() => call(loop))) - 50);
  }
  // Raw Extism in a worker stopped the plain way at 50 ms: answer at the deadline, then close the plugin (terminating its worker).
  // (Extism's own timeoutMs also bounds starting the worker, which this machine may not do in 50 ms.)
  const loopBytes = await buildWatPlugin({ exports: { execute: '(loop $l (br $l))' } });
  const rawWasmOver: number[] = [];
  for (let i = 0; i < 8; i++) {
    const spin = await createPlugin({ wasm: [{ data: loopBytes }] }, { runInWorker: true, useWasi: false, functions: { 'extism:host/user': { opsloom_host: () => 0n } } });
    rawWasmOver.push((await timeMs(async () => {
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise((resolve) => (timer = setTimeout(resolve, 50)));
      await Promise.race([spin.call('execute', '{}').catch(() => undefined), deadline]);
      clearTimeout(timer);
    })) - 50);
    void spin.close();
  }
  const wasmPeer = `limit 60 ms (raw Extism worker closed at 50 ms: ${median(rawWasmOver).toFixed(1)} ms (${Math.max(...rawWasmOver).toFixed(1)}))`;
  table.row('wasm 50 ms timeout, overshoot median (max)', `${median(wasmOver).toFixed(1)} ms (${Math.max(...wasmOver).toFixed(1)})`, wasmPeer, within(Math.max(...wasmOver), 60));

  // 5. 1,000 loaded, idle plugin versions: resident memory of the sandbox processes + this process.
  const before = runtime.stats().pids.reduce((s: number, pid) => s + rss(pid), 0);
  for (let i = 0; i < 1000; i++) await call(isolatePlugin(`{ execute(inputs) { return { n: ${i} }; } }`));
  await new Promise((r) => setTimeout(r, 500));
  const sandboxes = runtime.stats().pids.reduce((s: number, pid) => s + rss(pid), 0);
  const total = sandboxes + rss(process.pid);
  table.row('1,000 loaded idle isolate plugin versions, RSS (incl. this bench process)', `${total.toFixed(0)} MB (sandboxes ${sandboxes.toFixed(0)} MB, were ${before.toFixed(0)} MB)`, 'limit 1536 MB', within(total, 1536));

  await runtime.close();
  table.print();
}

void main();
