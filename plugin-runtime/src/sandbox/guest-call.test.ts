/**
 * Calls of a plugin version after its first quick call take the fast route (guest-call.ts): these
 * tests call each plugin several times so both routes are exercised, and check that what a call
 * does is the same on either.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { PluginRuntime } from '../runtime.js';
import type { HostServices, InvokeRequest, InvokeResult, PluginPackage } from '../interface.js';
import { isolatePlugin, testContext } from '../testing/fixtures.js';

// A generous kill grace: these tests are about the sandbox stopping its own calls, even on a busy machine.
const runtime = new PluginRuntime({ poolSize: 1, killGraceMs: 3000 });
after(() => runtime.close());

function run(plugin: PluginPackage, inputs: Record<string, unknown> = {}, host: HostServices = {}): Promise<InvokeResult> {
  const req: InvokeRequest = { plugin, call: 'execute', inputs, context: testContext(), approvedCapabilities: plugin.manifest.capabilities };
  return runtime.invoke(req, host);
}

test('every call of a quick plugin returns its log lines, in order, with its outputs', async () => {
  const plugin = isolatePlugin(`{ execute(inputs, ctx) {
    host.log('one', inputs.n); ctx.log.warn('two'); host.log.error({ three: inputs.n });
    return { n: inputs.n };
  } }`, { capabilities: ['log'] });
  for (let n = 0; n < 4; n++) {
    const r = await run(plugin, { n });
    assert.equal(r.status, 'done', JSON.stringify(r));
    if (r.status !== 'done') return;
    assert.deepEqual(r.outputs, { n });
    assert.deepEqual(r.logs.map((l) => [l.level, l.message]), [['info', `one ${n}`], ['warn', 'two'], ['error', `{"three":${n}}`]]);
  }
});

test('a plugin that waits on a host call is answered on every call, logs before and after included', async () => {
  const host: HostServices = { cmdbRead: async (query) => [{ ip: `10.0.0.${(query as { n: number }).n}` }] };
  const plugin = isolatePlugin(`{ async execute(inputs) {
    host.log('before');
    const hosts = await host.cmdb.read({ n: inputs.n });
    host.log('after', hosts.length);
    return { hosts };
  } }`, { capabilities: ['log', 'cmdb.read'] });
  for (let n = 1; n <= 4; n++) {
    const r = await run(plugin, { n }, host);
    assert.deepEqual(r.status === 'done' && r.outputs, { hosts: [{ ip: `10.0.0.${n}` }] });
    assert.deepEqual(r.logs.map((l) => l.message), ['before', 'after 1']);
  }
});

test('a quick plugin that turns into an endless loop is stopped at its deadline, and its next call works', async () => {
  const plugin = isolatePlugin(`{ async execute(inputs) { await null; if (inputs.spin) for (;;) {} return { ok: true }; } }`, { limits: { memoryMb: 16, timeoutMs: 150 } });
  for (let i = 0; i < 3; i++) assert.deepEqual(await run(plugin), { status: 'done', outputs: { ok: true }, logs: [] });
  const spun = await run(plugin, { spin: true });
  assert.equal(spun.status === 'failed' && spun.error.code, 'TIMEOUT', JSON.stringify(spun));
  assert.deepEqual(await run(plugin), { status: 'done', outputs: { ok: true }, logs: [] });
});

test('errors thrown synchronously and asynchronously keep their codes on repeated calls', async () => {
  const plugin = isolatePlugin(`{ execute(inputs) {
    const e = new Error('bad ' + inputs.how); e.code = 'BAD_INPUT';
    if (inputs.how === 'sync') throw e;
    return Promise.reject(e);
  } }`);
  for (const how of ['sync', 'async', 'sync', 'async']) {
    assert.deepEqual(await run(plugin, { how }), { status: 'failed', error: { code: 'BAD_INPUT', message: `bad ${how}` }, logs: [] });
  }
});

test('a quick plugin that turns into a memory bomb hits its memory limit, and its next call works', async () => {
  const plugin = isolatePlugin(`{ execute(inputs) {
    if (inputs.bomb) { const a = []; for (;;) a.push(new Array(1e5).fill(a.length)); }
    return { ok: true };
  } }`, { limits: { memoryMb: 16, timeoutMs: 5000 } });
  for (let i = 0; i < 3; i++) assert.deepEqual(await run(plugin), { status: 'done', outputs: { ok: true }, logs: [] });
  const bombed = await run(plugin, { bomb: true });
  assert.equal(bombed.status === 'failed' && bombed.error.code, 'MEMORY_LIMIT', JSON.stringify(bombed));
  assert.deepEqual(await run(plugin), { status: 'done', outputs: { ok: true }, logs: [] });
});

test('a quick plugin that waits forever is stopped at its deadline with the log lines it wrote', async () => {
  const plugin = isolatePlugin(`{ async execute(inputs) {
    host.log('waiting', inputs.hang === true);
    if (inputs.hang) await new Promise(() => {});
    return { ok: true };
  } }`, { capabilities: ['log'], limits: { memoryMb: 16, timeoutMs: 150 } });
  const done = async (): Promise<void> => {
    const r = await run(plugin);
    assert.equal(r.status, 'done', JSON.stringify(r));
  };
  for (let i = 0; i < 3; i++) await done();
  const hung = await run(plugin, { hang: true });
  assert.deepEqual(hung.status === 'failed' && [hung.error.code, hung.logs.map((l) => l.message)], ['TIMEOUT', ['waiting true']]);
  await done();
});
