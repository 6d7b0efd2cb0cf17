/**
 * The hostile corpus for isolate plugins: each attack is contained, the pool stays alive and the
 * next call works.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { PluginRuntime } from './runtime.js';
import type { InvokeRequest, InvokeResult, PluginPackage } from './interface.js';
import { isolatePlugin, testContext } from './testing/fixtures.js';
import type { PluginManifest } from './manifest/index.js';

const runtime = new PluginRuntime({ poolSize: 2, killGraceMs: 500 });
after(() => runtime.close());
const healthy = isolatePlugin(`{ execute(inputs) { return { echo: inputs.x }; } }`);

function run(plugin: PluginPackage, extra: Partial<InvokeRequest> = {}): Promise<InvokeResult> {
  return runtime.invoke({ plugin, call: 'execute', inputs: {}, context: testContext(), approvedCapabilities: plugin.manifest.capabilities, ...extra }, {});
}

async function attack(body: string, overrides: Partial<PluginManifest> = {}): Promise<InvokeResult> {
  const r = await run(isolatePlugin(body, overrides));
  assert.deepEqual(await run(healthy, { inputs: { x: 1 } }), { status: 'done', outputs: { echo: 1 }, logs: [] }, 'the next call works');
  return r;
}

function failedWith(r: InvokeResult, code: string): void {
  assert.equal(r.status, 'failed', JSON.stringify(r));
  if (r.status === 'failed') assert.equal(r.error.code, code, r.error.message);
}

test('an infinite loop is stopped at the deadline', async () => {
  failedWith(await attack(`{ execute() { for (;;) {} } }`, { limits: { memoryMb: 16, timeoutMs: 100 } }), 'TIMEOUT');
  failedWith(await attack(`{ async execute() { await null; for (;;) {} } }`, { limits: { memoryMb: 16, timeoutMs: 100 } }), 'TIMEOUT');
  failedWith(await attack(`(() => { for (;;) {} })()`, { limits: { memoryMb: 16, timeoutMs: 100 } }), 'TIMEOUT');
});

test('a memory bomb hits the isolate memory limit', async () => {
  failedWith(await attack(`{ execute() { const a = []; for (;;) a.push(new Array(1e5).fill(a.length)); } }`, { limits: { memoryMb: 16, timeoutMs: 5000 } }), 'MEMORY_LIMIT');
});

test('deep recursion fails as a plugin error', async () => {
  const r = await attack(`{ execute() { const f = (n) => f(n + 1) + 1; return { v: f(0) }; } }`);
  failedWith(r, 'PLUGIN_ERROR');
  if (r.status === 'failed') assert.match(r.error.message, /call stack/);
});

test('prototype pollution stays in its own call and never reaches the host', async () => {
  const plugin = isolatePlugin(`{ execute(inputs) {
    const before = { obj: ({}).polluted, arr: [].polluted, json: JSON.polluted };
    Object.prototype.polluted = 'yes'; Array.prototype.polluted = 'yes'; JSON.polluted = 'yes';
    try { host.polluted = 'yes'; } catch {}
    try { Object.getPrototypeOf(host.log).polluted = 'yes'; } catch {}
    return JSON.parse('{"before": ' + JSON.stringify(before) + ', "__proto__": {"polluted": "host"}}');
  } }`);
  const first = await run(plugin);
  assert.equal(first.status, 'done');
  const second = await run(plugin);
  assert.equal(second.status, 'done');
  if (second.status === 'done') assert.deepEqual(second.outputs.before, {}, 'a fresh context per call');
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.equal(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted'), false);
});

test('process, require, import() and host globals are out of reach, including constructor-chain escapes', async () => {
  const r = await attack(`{ async execute() {
    const found = {};
    const probe = (name, f) => { try { const v = f(); found[name] = v === undefined || v === null ? 'none' : typeof v; } catch (e) { found[name] = 'threw'; } };
    probe('process', () => typeof process === 'undefined' ? undefined : process);
    probe('require', () => typeof require === 'undefined' ? undefined : require);
    probe('module', () => typeof module === 'undefined' ? undefined : module);
    probe('ctorChain', () => this.constructor.constructor('return process')());
    probe('fnCtor', () => Function('return typeof process === "undefined" ? undefined : process')());
    probe('hostCtor', () => host.log.constructor('return typeof process === "undefined" ? undefined : process')());
    probe('hostProto', () => host.http.fetch.constructor.constructor('return this.process')());
    probe('errorStack', () => { const e = new Error(); Error.prepareStackTrace = (_, s) => s; const s = e.stack; Error.prepareStackTrace = undefined; return Array.isArray(s) ? s.map((f) => f.getThis && f.getThis()).find((t) => t && t.process) : undefined; });
    probe('proxyTrap', () => { let leaked; const p = new Proxy({}, { get(t, k, r) { leaked = r && r.constructor && r.constructor.constructor('return this.process')(); return undefined; } }); JSON.stringify(p); return leaked; });
    probe('eval', () => eval('typeof process === "undefined" ? undefined : process'));
    probe('indirectEval', () => (0, eval)('this.process || this.require'));
    probe('globalKeys', () => Object.getOwnPropertyNames(globalThis).find((k) => /^__opsloom_(host|log)$|^(process|require|Buffer|ivm)$/.test(k)));
    try { await import('node:fs'); found.import = 'loaded'; } catch (e) { found.import = 'refused'; }
    return found;
  } }`);
  assert.equal(r.status, 'done', JSON.stringify(r));
  if (r.status !== 'done') return;
  for (const [name, v] of Object.entries(r.outputs)) assert.ok(v === 'none' || v === 'threw' || v === 'refused', `${name}: ${String(v)}`);
});

test('a plugin returning 100 MB is refused without taking the host down', async () => {
  failedWith(await attack(`{ execute() { return { big: 'x'.repeat(100 * 1024 * 1024) }; } }`, { limits: { memoryMb: 256, timeoutMs: 10000 } }), 'OUTPUT_TOO_LARGE');
});

test('huge ArrayBuffer allocations are refused inside the isolate', async () => {
  const r = await attack(`{ execute() { const keep = []; for (let i = 0; i < 64; i++) keep.push(new Uint8Array(1024 * 1024 * 1024)); return { n: keep.length }; } }`, { limits: { memoryMb: 64, timeoutMs: 5000 } });
  assert.equal(r.status, 'failed', JSON.stringify(r));
});

test('a sandbox process that dies fails only its calls, and the pool replaces it', async () => {
  const hang = isolatePlugin(`{ async execute() { await new Promise(() => {}); } }`, { limits: { memoryMb: 16, timeoutMs: 10000 } });
  const before = runtime.stats();
  const pending = run(hang);
  await new Promise((r) => setTimeout(r, 200));
  // Whichever process got the call: kill them all, as an OOM killer would.
  for (const pid of before.pids) if (pid) process.kill(pid, 'SIGKILL');
  failedWith(await pending, 'SANDBOX_CRASHED');
  assert.deepEqual(await run(healthy, { inputs: { x: 2 } }), { status: 'done', outputs: { echo: 2 }, logs: [] });
  const after = runtime.stats();
  assert.ok(after.restarts >= before.restarts + 1);
  assert.notDeepEqual(after.pids, before.pids);
});
