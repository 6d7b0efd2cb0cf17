/**
 * Wasm plugins through Extism, and the wasm half of the hostile corpus: each attack is contained
 * and the next call works.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { PluginRuntime } from './runtime.js';
import type { InvokeRequest, InvokeResult, PluginPackage } from './interface.js';
import { testContext, wasmPlugin } from './testing/fixtures.js';
import { buildWatPlugin, constantPlugin } from './testing/wat.js';
import type { PluginManifest } from './manifest/index.js';

const runtime = new PluginRuntime({ poolSize: 1 });
after(() => runtime.close());

const echo = buildWatPlugin({
  strings: {
    req: '{"op":"cmdb.read","args":{"set":"web"}}',
    log: '{"op":"log","level":"warn","message":"from wasm"}',
    pre: '{"status":"done","outputs":{"input":',
    mid: ',"host":',
    end: '}}',
  },
  exports: {
    execute: `(local $resp i64)
      (drop (call $host {{block:log}}))
      (local.set $resp (call $host {{block:req}}))
      (call $begin (i64.add (i64.add {{len:pre}} (call $input_length)) (i64.add (i64.add {{len:mid}} (call $length (local.get $resp))) {{len:end}})))
      {{emit:pre}} (call $put_input) {{emit:mid}} (call $put_block (local.get $resp)) {{emit:end}} (call $finish)`,
  },
});

async function run(plugin: PluginPackage, extra: Partial<InvokeRequest> = {}): Promise<InvokeResult> {
  return runtime.invoke({ plugin, call: 'execute', inputs: {}, context: testContext(), approvedCapabilities: plugin.manifest.capabilities, ...extra }, {
    cmdbRead: async (q) => ({ hosts: ['10.0.0.1'], q }),
  });
}

async function stillWorks(): Promise<void> {
  const r = await run(wasmPlugin(await echo, { capabilities: ['cmdb.read'] }), { inputs: { n: 1 } });
  assert.equal(r.status, 'done', JSON.stringify(r));
}

function failedWith(r: InvokeResult, code: string, pattern?: RegExp): void {
  assert.equal(r.status, 'failed', JSON.stringify(r));
  if (r.status !== 'failed') return;
  assert.equal(r.error.code, code, r.error.message);
  if (pattern) assert.match(r.error.message, pattern);
}

test('a wasm plugin reads its input, calls the host through the one host function and logs', async () => {
  const plugin = wasmPlugin(await echo, { capabilities: ['cmdb.read', 'log'] });
  const r = await run(plugin, { inputs: { n: 41 } });
  assert.equal(r.status, 'done', JSON.stringify(r));
  if (r.status !== 'done') return;
  const input = r.outputs.input as { inputs: unknown; context: { taskId: string } };
  assert.deepEqual(input.inputs, { n: 41 });
  assert.equal(input.context.taskId, 't1');
  assert.deepEqual(r.outputs.host, { ok: true, value: { hosts: ['10.0.0.1'], q: { set: 'web' } } });
  assert.deepEqual(r.logs.map((l) => [l.level, l.message]), [['warn', 'from wasm']]);
  // Second call reuses the instance.
  assert.equal((await run(plugin, { inputs: { n: 1 } })).status, 'done');
});

test('a host call the manifest did not declare is refused to the wasm guest', async () => {
  const r = await run(wasmPlugin(await echo, { capabilities: [] }));
  assert.equal(r.status, 'done');
  if (r.status === 'done') assert.equal((r.outputs.host as { error: { code: string } }).error.code, 'CAPABILITY_DENIED');
});

test('poll mode works for wasm through the result envelope', async () => {
  const plugin = wasmPlugin(await buildWatPlugin(constantPlugin('{"status":"poll","state":{"k":1},"delayMs":500}')), { mode: 'poll' });
  assert.deepEqual(await run(plugin), { status: 'poll', state: { k: 1 }, delayMs: 500, logs: [] });
});

test('a wasm plugin fails with its own code through the result envelope; a malformed failure is refused', async () => {
  const coded = wasmPlugin(await buildWatPlugin(constantPlugin('{"status":"failed","error":{"code":"JSON_PATH_INVALID","message":"write it like $.a"}}')));
  failedWith(await run(coded), 'JSON_PATH_INVALID', /write it like/);
  const badCode = wasmPlugin(await buildWatPlugin(constantPlugin('{"status":"failed","error":{"code":"not a code","message":"m"}}')));
  failedWith(await run(badCode), 'PLUGIN_ERROR', /^m$/);
  const noMessage = wasmPlugin(await buildWatPlugin(constantPlugin('{"status":"failed","error":"boom"}')));
  failedWith(await run(noMessage), 'OUTPUT_INVALID', /needs \{"error"/);
});

test('an infinite loop is stopped by terminating its worker', async () => {
  const plugin = wasmPlugin(await buildWatPlugin({ exports: { execute: '(loop $l (br $l))' } }), { limits: { memoryMb: 16, timeoutMs: 150 } });
  failedWith(await run(plugin), 'TIMEOUT');
  await stillWorks();
});

test('a module that can grow memory without bound is refused at load', async () => {
  const grow = '(block $d (loop $l (br_if $d (i32.eq (memory.grow (i32.const 100)) (i32.const -1))) (br $l)))';
  const plugin = wasmPlugin(await buildWatPlugin({ memory: '(memory (export "memory") 1)', exports: { execute: grow } }));
  failedWith(await run(plugin), 'WASM_REFUSED', /declares no maximum/);
  const over = wasmPlugin(await buildWatPlugin({ memory: '(memory (export "memory") 1 65536)', exports: { execute: grow } }), { limits: { memoryMb: 16, timeoutMs: 1000 } });
  failedWith(await run(over), 'WASM_REFUSED', /over the 16 MB limit/);
  // Within its maximum, growth simply stops.
  const capped = wasmPlugin(await buildWatPlugin({ ...constantPlugin('{"status":"done","outputs":{}}', '(memory (export "memory") 1 8)'), exports: { execute: `${grow} (call $begin (i64.const 30)) (call $finish)` } }));
  const r = await run(capped);
  assert.notEqual(r.status === 'failed' && r.error.code, 'TIMEOUT');
  await stillWorks();
});

test('a module importing functions we do not provide is refused at load', async () => {
  const plugin = wasmPlugin(await buildWatPlugin({
    extraImports: '(import "env" "system" (func $system (param i32) (result i32)))',
    exports: { execute: '(drop (call $system (i32.const 0)))' },
  }));
  failedWith(await run(plugin), 'WASM_REFUSED', /"env\.system", which Opsloom does not provide/);
  await stillWorks();
});

test('a wasm plugin returning 100 MB is refused', async () => {
  const plugin = wasmPlugin(await buildWatPlugin({
    exports: { execute: '(call $output_set (call $alloc (i64.const 104857600)) (i64.const 104857600))' },
  }), { limits: { memoryMb: 256, timeoutMs: 10000 } } as Partial<PluginManifest>);
  failedWith(await run(plugin), 'OUTPUT_TOO_LARGE');
  await stillWorks();
});
