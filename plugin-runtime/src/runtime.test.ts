import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { PluginRuntime } from './runtime.js';
import type { HostServices, InvokeRequest } from './interface.js';
import { isolatePlugin, testContext } from './testing/fixtures.js';

const runtime = new PluginRuntime({ poolSize: 1 });
after(() => runtime.close());

function req(plugin: InvokeRequest['plugin'], extra: Partial<InvokeRequest> = {}): InvokeRequest {
  return { plugin, call: 'execute', inputs: {}, context: testContext(), approvedCapabilities: plugin.manifest.capabilities, ...extra };
}

test('a sync plugin returns outputs and its log lines', async () => {
  const plugin = isolatePlugin(`{ execute(inputs, ctx) { host.log('hello', inputs.name); ctx.log.warn({ n: 1 }); return { greeting: 'hi ' + inputs.name, task: ctx.taskId }; } }`, {
    capabilities: ['log'],
    inputs: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] },
    outputs: { type: 'object', properties: { greeting: { type: 'string' } }, required: ['greeting'] },
  });
  const r = await runtime.invoke(req(plugin, { inputs: { name: 'ann' } }), {});
  assert.equal(r.status, 'done');
  if (r.status !== 'done') return;
  assert.deepEqual(r.outputs, { greeting: 'hi ann', task: 't1' });
  assert.deepEqual(r.logs.map((l) => [l.level, l.message]), [['info', 'hello ann'], ['warn', '{"n":1}']]);
});

test('inputs are validated before the call and outputs after it', async () => {
  const plugin = isolatePlugin(`{ execute(inputs) { return { count: 'many' }; } }`, {
    inputs: { type: 'object', properties: { n: { type: 'integer' } }, required: ['n'] },
    outputs: { type: 'object', properties: { count: { type: 'integer' } } },
  });
  const bad = await runtime.invoke(req(plugin, { inputs: { n: 'x' } }), {});
  assert.equal(bad.status, 'failed');
  if (bad.status === 'failed') assert.deepEqual([bad.error.code, bad.error.message], ['INPUT_INVALID', 'inputs.n must be integer']);
  const out = await runtime.invoke(req(plugin, { inputs: { n: 1 } }), {});
  assert.equal(out.status, 'failed');
  if (out.status === 'failed') assert.equal(out.error.code, 'OUTPUT_INVALID');
});

test('poll mode: execute asks to be polled with state, poll finishes', async () => {
  const plugin = isolatePlugin(`{
    execute(inputs, ctx) { return ctx.poll({ left: inputs.times }, 250); },
    poll(state, ctx) { return state.left > 1 ? ctx.poll({ left: state.left - 1 }, 10) : { finished: true }; },
  }`, { mode: 'poll' });
  let r = await runtime.invoke(req(plugin, { inputs: { times: 2 } }), {});
  assert.deepEqual(r, { status: 'poll', state: { left: 2 }, delayMs: 250, logs: [] });
  r = await runtime.invoke(req(plugin, { call: 'poll', inputs: { times: 2 }, state: { left: 2 } }), {});
  assert.deepEqual(r, { status: 'poll', state: { left: 1 }, delayMs: 10, logs: [] });
  r = await runtime.invoke(req(plugin, { call: 'poll', inputs: { times: 2 }, state: { left: 1 } }), {});
  assert.deepEqual(r, { status: 'done', outputs: { finished: true }, logs: [] });
});

test('callback mode: the node waits, callback receives the data', async () => {
  const plugin = isolatePlugin(`{
    execute(inputs, ctx) { return ctx.waitCallback({ seen: 0 }, { multiple: true }); },
    callback(state, data, ctx) { const seen = state.seen + 1; return data.last ? { seen, value: data.value } : ctx.waitCallback({ seen }, { multiple: true }); },
  }`, { mode: 'callback' });
  let r = await runtime.invoke(req(plugin), {});
  assert.deepEqual(r, { status: 'wait-callback', state: { seen: 0 }, multiple: true, logs: [] });
  r = await runtime.invoke(req(plugin, { call: 'callback', state: { seen: 0 }, callbackData: { value: 1 } }), {});
  assert.deepEqual(r, { status: 'wait-callback', state: { seen: 1 }, multiple: true, logs: [] });
  r = await runtime.invoke(req(plugin, { call: 'callback', state: { seen: 1 }, callbackData: { value: 7, last: true } }), {});
  assert.deepEqual(r, { status: 'done', outputs: { seen: 2, value: 7 }, logs: [] });
});

test('a sync plugin that asks to be polled fails with MODE_MISMATCH', async () => {
  const plugin = isolatePlugin(`{ execute(inputs, ctx) { return ctx.poll({}, 1); } }`);
  const r = await runtime.invoke(req(plugin), {});
  assert.equal(r.status === 'failed' && r.error.code, 'MODE_MISMATCH');
  const p = await runtime.invoke(req(plugin, { call: 'poll' }), {});
  assert.equal(p.status === 'failed' && p.error.code, 'MODE_MISMATCH');
});

test('declared and approved capabilities reach host services, with the call context', async () => {
  const seen: unknown[] = [];
  const host: HostServices = {
    cmdbRead: async (query, ctx) => {
      seen.push([query, ctx.plugin.version, ctx.context.nodeId]);
      return [{ ip: '10.0.0.1' }];
    },
    secretRead: async (name) => `value-of-${name}`,
    agentExecute: async (args) => ({ jobId: 'j1', args }),
  };
  const plugin = isolatePlugin(`{ async execute() {
    const hosts = await host.cmdb.read({ set: 'web' });
    const secret = await host.secrets.read('token');
    const job = await host.agent.execute({ script: 'uptime' });
    return { hosts, secret, job };
  } }`, { capabilities: ['cmdb.read', 'secrets.read:token', 'agent.execute'] });
  const r = await runtime.invoke(req(plugin), host);
  assert.deepEqual(r, { status: 'done', outputs: { hosts: [{ ip: '10.0.0.1' }], secret: 'value-of-token', job: { jobId: 'j1', args: { script: 'uptime' } } }, logs: [] });
  assert.deepEqual(seen, [[{ set: 'web' }, '1.0.0', 'n1']]);
});

test('a declared capability the operator did not approve is refused, and so is an undeclared one', async () => {
  let called = 0;
  const host: HostServices = { cmdbRead: async () => ++called, secretRead: async () => { called++; return 's'; }, notifySend: async () => ++called };
  const plugin = isolatePlugin(`{ async execute() {
    const out = {};
    for (const [k, f] of Object.entries({ cmdb: () => host.cmdb.read({}), otherSecret: () => host.secrets.read('root'), notify: () => host.notify.send({}) })) {
      try { await f(); out[k] = 'allowed'; } catch (e) { out[k] = e.code; }
    }
    return out;
  } }`, { capabilities: ['cmdb.read', 'secrets.read:token'] });
  const r = await runtime.invoke(req(plugin, { approvedCapabilities: ['secrets.read:token'] }), host);
  assert.deepEqual(r.status === 'done' && r.outputs, { cmdb: 'CAPABILITY_DENIED', otherSecret: 'CAPABILITY_DENIED', notify: 'CAPABILITY_DENIED' });
  assert.equal(called, 0);
});

test('host calls beyond hostCallsPerSecond are refused', async () => {
  const plugin = isolatePlugin(`{ async execute() {
    let ok = 0, limited = 0;
    for (let i = 0; i < 10; i++) { try { await host.cmdb.read({}); ok++; } catch (e) { if (e.code === 'HOST_RATE_LIMITED') limited++; } }
    return { ok, limited };
  } }`, { capabilities: ['cmdb.read'], limits: { memoryMb: 16, timeoutMs: 2000, hostCallsPerSecond: 3 } });
  const r = await runtime.invoke(req(plugin), { cmdbRead: async () => 1 });
  assert.equal(r.status, 'done');
  if (r.status === 'done') assert.equal((r.outputs.ok as number) + (r.outputs.limited as number), 10);
  if (r.status === 'done') assert.ok((r.outputs.limited as number) >= 6, `limited ${String(r.outputs.limited)}`);
});

test('a missing host service and a failing one give clear codes', async () => {
  const plugin = isolatePlugin(`{ async execute() {
    const out = {};
    try { await host.notify.send({}); } catch (e) { out.notify = e.code; }
    try { await host.cmdb.read({}); } catch (e) { out.cmdb = e.code + ': ' + e.message; }
    return out;
  } }`, { capabilities: ['cmdb.read', 'notify.send'] });
  const r = await runtime.invoke(req(plugin), { cmdbRead: async () => { throw new Error('db down'); } });
  assert.deepEqual(r.status === 'done' && r.outputs, { notify: 'HOST_SERVICE_UNAVAILABLE', cmdb: 'HOST_SERVICE_FAILED: cmdb.read failed: db down' });
});

test('a thrown error, a syntax error and a missing function fail with codes', async () => {
  const thrower = await runtime.invoke(req(isolatePlugin(`{ execute() { const e = new Error('disk full'); e.code = 'DISK_FULL'; throw e; } }`)), {});
  assert.deepEqual(thrower.status === 'failed' && thrower.error, { code: 'DISK_FULL', message: 'disk full' });
  const broken = await runtime.invoke(req(isolatePlugin(`{ execute( }`)), {});
  assert.equal(broken.status === 'failed' && broken.error.code, 'PLUGIN_INVALID');
  const empty = await runtime.invoke(req(isolatePlugin(`{}`)), {});
  assert.equal(empty.status === 'failed' && empty.error.code, 'PLUGIN_INVALID');
});

test('an aborted call fails with ABORTED and the plugin still works', async () => {
  const plugin = isolatePlugin(`{ async execute(inputs) { if (inputs.hang) await new Promise(() => {}); return { ok: true }; } }`, { limits: { memoryMb: 16, timeoutMs: 5000 } });
  const controller = new AbortController();
  const pending = runtime.invoke(req(plugin, { inputs: { hang: true }, signal: controller.signal }), {});
  setTimeout(() => controller.abort(), 50);
  const r = await pending;
  assert.equal(r.status === 'failed' && r.error.code, 'ABORTED');
  assert.deepEqual(await runtime.invoke(req(plugin), {}), { status: 'done', outputs: { ok: true }, logs: [] });
});

test('isolates are reused between calls of one plugin version, with a fresh context each call', async () => {
  const plugin = isolatePlugin(`{ execute() { globalThis.calls = (globalThis.calls || 0) + 1; return { calls: globalThis.calls }; } }`);
  for (let i = 0; i < 3; i++) {
    const r = await runtime.invoke(req(plugin), {});
    assert.deepEqual(r.status === 'done' && r.outputs, { calls: 1 });
  }
  assert.ok(runtime.stats().calls > 0);
});
