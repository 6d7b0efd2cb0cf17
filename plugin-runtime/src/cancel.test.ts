/**
 * The `cancel` call: a poll or callback plugin is told to stop the remote work its saved state
 * stands for. Only whether it failed counts; a plugin (isolate or wasm) without it has nothing to stop.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { PluginRuntime } from './runtime.js';
import type { HostServices, InvokeRequest } from './interface.js';
import { isolatePlugin, testContext, wasmPlugin } from './testing/fixtures.js';
import { buildWatPlugin, constantPlugin } from './testing/wat.js';

const runtime = new PluginRuntime({ poolSize: 1 });
after(() => runtime.close());

function cancel(plugin: InvokeRequest['plugin'], extra: Partial<InvokeRequest> = {}): InvokeRequest {
  return { plugin, call: 'cancel', inputs: {}, state: { job: 'job-7' }, context: testContext(), approvedCapabilities: plugin.manifest.capabilities, ...extra };
}

test('an isolate plugin\'s cancel gets the saved state and a ctx with the log and the host API; what it returns is ignored', async () => {
  const plugin = isolatePlugin(`{
    execute(inputs, ctx) { return ctx.poll({ job: 'job-7' }, 1000); },
    poll(state, ctx) { return ctx.poll(state, 1000); },
    async cancel(state, ctx) {
      const r = await host.agent.execute({ action: 'cancel', jobId: state.job });
      ctx.log.info('stopping job ' + state.job + ' of node ' + ctx.nodeId + ': ' + r.cancelled);
      return ctx.poll(state, 5);
    },
  }`, { mode: 'poll', capabilities: ['agent.execute', 'log'], outputs: { type: 'object', required: ['never'] } });
  const asked: unknown[] = [];
  const services: HostServices = { agentExecute: async (args) => { asked.push(args); return { cancelled: true }; } };
  const r = await runtime.invoke(cancel(plugin), services);
  assert.deepEqual({ ...r, logs: r.logs.map((l) => l.message) }, { status: 'done', outputs: {}, logs: ['stopping job job-7 of node n1: true'] });
  assert.deepEqual(asked, [{ action: 'cancel', jobId: 'job-7' }]);
});

test('a callback plugin\'s cancel gets the state and ctx (no data); one that throws fails with its code; inputs are validated as for any call', async () => {
  const plugin = isolatePlugin(`{
    execute(inputs, ctx) { return ctx.waitCallback({}); },
    callback(state, data) { return {}; },
    cancel(state, ctx) { const e = new Error('job ' + state.job + ' of node ' + ctx.nodeId + ': the job service is down'); e.code = 'JOB_SERVICE_DOWN'; throw e; },
  }`, { mode: 'callback', inputs: { type: 'object', required: ['host'] } });
  const refused = await runtime.invoke(cancel(plugin), {});
  assert.equal(refused.status === 'failed' && refused.error.code, 'INPUT_INVALID');
  const r = await runtime.invoke(cancel(plugin, { inputs: { host: 'a' } }), {});
  assert.deepEqual(r.status === 'failed' && r.error, { code: 'JOB_SERVICE_DOWN', message: 'job job-7 of node n1: the job service is down' });
});

test('a plugin without cancel answers done: it has nothing to stop', async () => {
  const plugin = isolatePlugin(`{ execute(inputs, ctx) { return ctx.poll({}, 10); }, poll(state) { return {}; } }`, { mode: 'poll' });
  assert.deepEqual(await runtime.invoke(cancel(plugin), {}), { status: 'done', outputs: {}, logs: [] });
});

test('a sync plugin refuses a cancel call with MODE_MISMATCH', async () => {
  const plugin = isolatePlugin(`{ execute() { return {}; }, cancel() {} }`);
  const r = await runtime.invoke(cancel(plugin), {});
  assert.deepEqual(r.status === 'failed' && r.error, { code: 'MODE_MISMATCH', message: 'cannot cancel a plugin in "sync" mode: it leaves no remote work behind' });
});

test('a wasm module without a cancel export answers done; one with it may log, and its outputs are dropped', async () => {
  const without = wasmPlugin(await buildWatPlugin(constantPlugin('{"status":"poll","state":{},"delayMs":10}')), { mode: 'poll' });
  assert.deepEqual(await runtime.invoke(cancel(without), {}), { status: 'done', outputs: {}, logs: [] });
  const withCancel = wasmPlugin(await buildWatPlugin({
    strings: { log: '{"op":"log","level":"info","message":"stopping"}', out: '{"status":"done","outputs":{"n":1}}' },
    exports: {
      execute: '(call $begin {{len:out}}) {{emit:out}} (call $finish)',
      cancel: '(drop (call $host {{block:log}})) (call $begin {{len:out}}) {{emit:out}} (call $finish)',
    },
  }), { mode: 'callback', capabilities: ['log'] });
  const r = await runtime.invoke(cancel(withCancel), {});
  assert.deepEqual({ ...r, logs: r.logs.map((l) => l.message) }, { status: 'done', outputs: {}, logs: ['stopping'] }, 'its outputs are dropped');
});

test('a wasm cancel export that writes no result answers done; a failed envelope still fails it', async () => {
  const silent = wasmPlugin(await buildWatPlugin({
    strings: { log: '{"op":"log","level":"info","message":"stopping"}', out: '{"status":"poll","state":{},"delayMs":10}' },
    exports: {
      execute: '(call $begin {{len:out}}) {{emit:out}} (call $finish)',
      cancel: '(drop (call $host {{block:log}}))',
    },
  }), { mode: 'poll', capabilities: ['log'] });
  const r = await runtime.invoke(cancel(silent), {});
  assert.deepEqual({ ...r, logs: r.logs.map((l) => l.message) }, { status: 'done', outputs: {}, logs: ['stopping'] });
  const failing = wasmPlugin(await buildWatPlugin({
    strings: { out: '{"status":"failed","error":{"code":"JOB_GONE","message":"no such job"}}' },
    exports: { execute: '(call $begin {{len:out}}) {{emit:out}} (call $finish)', cancel: '(call $begin {{len:out}}) {{emit:out}} (call $finish)' },
  }), { mode: 'poll' });
  const f = await runtime.invoke(cancel(failing), {});
  assert.deepEqual(f.status === 'failed' && f.error, { code: 'JOB_GONE', message: 'no such job' });
});
