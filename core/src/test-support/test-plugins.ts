import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PluginService } from '../plugin/plugin-service.js';
import type { TestServer } from './test-server.js';

/**
 * Real plugin packages for engine scenarios, installed into a test server's plugin store and run
 * by the real sandboxed runtime. Each is the bundle format the SDK's build produces.
 */
const PLUGINS: Record<string, { mode: 'sync' | 'poll' | 'callback'; body: string; capabilities?: string[]; inputs?: object }> = {
  '@test/echo': { mode: 'sync', body: `{ execute(inputs) { return { echo: inputs, value: inputs.value === undefined ? null : inputs.value }; } }` },
  // A strict inputs schema, as most real plugins have.
  '@test/address': {
    mode: 'sync',
    body: `{ execute(inputs) { return { address: inputs.host + ':' + inputs.port }; } }`,
    inputs: {
      type: 'object', required: ['host', 'port'], additionalProperties: false,
      properties: { host: { type: 'string', minLength: 1 }, port: { type: 'integer', minimum: 1, maximum: 65535 }, tags: { type: 'array', items: { type: 'string' } } },
    },
  },
  '@test/flaky': {
    mode: 'sync',
    body: `{ execute(inputs, ctx) {
      if (ctx.attempt <= (inputs.failTimes || 0)) throw new Error('flaky attempt ' + ctx.attempt);
      if (inputs.fail) throw new Error(String(inputs.fail));
      return { attempt: ctx.attempt, echo: inputs };
    } }`,
  },
  '@test/busy': {
    mode: 'sync',
    body: `{ execute(inputs) { const until = Date.now() + (inputs.ms || 0); while (Date.now() < until) { /* a slow synchronous call */ } return { ms: inputs.ms || 0 }; } }`,
  },
  '@test/poller': {
    mode: 'poll',
    body: `{
      execute(inputs, ctx) {
        const until = Date.now() + (inputs.busyMs || 0);
        while (Date.now() < until) { /* a slow start, to catch the call running */ }
        return ctx.poll({ n: 0, times: inputs.times || 1, delay: inputs.delayMs || 10 }, inputs.delayMs || 10);
      },
      poll(state, ctx) { const n = state.n + 1; return n >= state.times ? { polls: n } : ctx.poll({ n: n, times: state.times, delay: state.delay }, state.delay); }
    }`,
  },
  '@test/chatty': {
    mode: 'poll',
    capabilities: ['log'],
    body: `{
      execute(inputs, ctx) {
        for (let i = 0; i < inputs.lines; i++) ctx.log.info('execute line ' + i);
        const delay = inputs.delayMs || 5;
        return inputs.polls ? ctx.poll({ n: 0, polls: inputs.polls, lines: inputs.lines, delay: delay }, delay) : { logged: inputs.lines };
      },
      poll(state, ctx) {
        const n = state.n + 1;
        for (let i = 0; i < state.lines; i++) ctx.log.info('poll ' + n + ' line ' + i);
        return n >= state.polls ? { logged: state.lines * (n + 1) } : ctx.poll({ n: n, polls: state.polls, lines: state.lines, delay: state.delay }, state.delay);
      }
    }`,
  },
  // Starts a remote "job" and polls it; cancel() stops it. `polls`: the poll that finds it done (0:
  // never); `finishRetry`: a retry's job is done at its first poll; `cancelFails`: cancel() throws.
  '@test/job': {
    mode: 'poll',
    capabilities: ['log'],
    body: `{
      execute(inputs, ctx) {
        const job = inputs.job + '#' + ctx.attempt;
        ctx.log.info('started job ' + job);
        const polls = inputs.finishRetry && ctx.attempt > 1 ? 1 : inputs.polls || 0;
        const delay = polls ? 10 : 60000;
        return ctx.poll({ job: job, polls: polls, delay: delay, cancelFails: !!inputs.cancelFails }, delay);
      },
      poll(state, ctx) {
        if (state.polls === 1) return { job: state.job };
        return ctx.poll(Object.assign({}, state, { polls: state.polls ? state.polls - 1 : 0 }), state.delay);
      },
      cancel(state, ctx) {
        if (state.cancelFails) throw new Error('the job service is down');
        ctx.log.info('stopping job ' + state.job);
      }
    }`,
  },
  '@test/waiter': {
    mode: 'callback',
    body: `{
      execute(inputs, ctx) { return ctx.waitCallback({ multiple: !!inputs.multiple, got: [] }, { multiple: !!inputs.multiple }); },
      callback(state, data, ctx) {
        const until = Date.now() + ((data && data.busyMs) || 0);
        while (Date.now() < until) { /* a slow callback, to keep later ones waiting */ }
        const got = state.got.concat([data]);
        if (state.multiple && !(data && data.done)) return ctx.waitCallback({ multiple: true, got: got }, { multiple: true });
        return { got: got };
      }
    }`,
  },
};

export type TestPluginName = keyof typeof PLUGINS;

/** Writes a test plugin's package and installs it (approved) on the server. */
export async function installTestPlugins(server: TestServer, version = '1.0.0', names: string[] = Object.keys(PLUGINS)): Promise<void> {
  const service = server.ops.services.modules.get('plugins') as PluginService;
  const root = mkdtempSync(join(tmpdir(), 'opsloom-test-plugins-'));
  for (const name of names) {
    const p = PLUGINS[name]!;
    const dir = join(root, name.replace('/', '__'), version);
    mkdirSync(join(dir, 'dist'), { recursive: true });
    writeFileSync(join(dir, 'package.json'), JSON.stringify({
      name, version, keywords: ['opsloom-plugin'],
      opsloom: { plugin: { title: name, category: 'test', runtime: 'isolate', entry: 'dist/plugin.js', inputs: p.inputs ?? { type: 'object' }, outputs: { type: 'object' }, mode: p.mode, capabilities: p.capabilities ?? [], limits: { memoryMb: 32, timeoutMs: 5000 } } },
    }));
    writeFileSync(join(dir, 'dist', 'plugin.js'), `var __opsloomPlugin = definePlugin(${p.body});`);
    await service.installFromDirectory(dir, { source: `local:${dir}`, approvedBy: 'admin' });
  }
}
