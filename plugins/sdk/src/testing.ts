import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { PluginRuntime, type HostServices, type InvokeResult, type PluginCall } from '@opsloom/plugin-runtime';
import { KitError, readProject } from './project.js';

/** One case of a plugin's `plugin.test.json`. */
export interface PluginTestCase {
  name: string;
  call?: PluginCall;
  inputs?: Record<string, unknown>;
  state?: unknown;
  callbackData?: unknown;
  /** Capabilities to approve; defaults to everything the manifest declares. */
  approve?: string[];
  /** Fake host services: canned answers per operation, secrets by name, HTTP responses by URL. */
  fixtures?: {
    'agent.execute'?: unknown;
    'agent.transfer'?: unknown;
    'cmdb.read'?: unknown;
    'notify.send'?: unknown;
    secrets?: Record<string, string>;
    http?: Record<string, { status?: number; body?: string; headers?: Record<string, string> }>;
  };
  /** Fields to compare; absent fields are not checked. `logs` lists expected messages. */
  expect: { status: InvokeResult['status']; outputs?: unknown; state?: unknown; delayMs?: number; multiple?: boolean; errorCode?: string; logs?: string[] };
}

/** Outcome of one case. */
export interface PluginTestOutcome {
  name: string;
  ok: boolean;
  problems: string[];
  result: InvokeResult;
}

/**
 * Runs a plugin's declared test cases (`plugin.test.json`) in the same sandbox the server uses
 * (a {@link PluginRuntime} with its sandbox processes), with host services faked by the fixtures.
 * The plugin must be built first.
 */
export async function runPluginTests(dir: string): Promise<PluginTestOutcome[]> {
  const project = await readProject(dir);
  let cases: PluginTestCase[];
  try {
    cases = (JSON.parse(await readFile(join(dir, 'plugin.test.json'), 'utf8')) as { cases: PluginTestCase[] }).cases;
  } catch (err) {
    throw new KitError(`cannot read plugin.test.json: ${(err as Error).message}`);
  }
  if (!Array.isArray(cases)) throw new KitError('plugin.test.json must be {"cases": [...]}');
  let code: string | Uint8Array;
  try {
    const bytes = await readFile(join(dir, project.manifest.entry));
    code = project.manifest.runtime === 'isolate' ? bytes.toString('utf8') : new Uint8Array(bytes);
  } catch {
    throw new KitError(`${project.manifest.entry} is missing: run "opsloom-plugin build" first`);
  }
  const plugin = { name: project.name, version: project.version, manifest: project.manifest, code };
  let http: NonNullable<PluginTestCase['fixtures']>['http'] = {};
  const fakeFetch = (async (input: string | URL | Request) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const canned = http?.[url];
    if (!canned) return new Response(`no fixture for ${url}`, { status: 599 });
    return new Response(canned.body ?? '', { status: canned.status ?? 200, headers: canned.headers });
  }) as typeof fetch;
  const runtime = new PluginRuntime({ poolSize: 1, fetch: fakeFetch });
  const outcomes: PluginTestOutcome[] = [];
  try {
    for (const c of cases) {
      const f = c.fixtures ?? {};
      http = f.http ?? {};
      const canned = (op: keyof typeof f) => (op in f ? async () => f[op] : undefined);
      const services: HostServices = {
        agentExecute: canned('agent.execute'),
        agentTransfer: canned('agent.transfer'),
        cmdbRead: canned('cmdb.read'),
        notifySend: canned('notify.send'),
        secretRead: f.secrets ? async (name) => f.secrets?.[name] ?? Promise.reject(new Error(`no secret fixture "${name}"`)) : undefined,
      };
      const result = await runtime.invoke({
        plugin,
        call: c.call ?? 'execute',
        inputs: c.inputs ?? {},
        state: c.state,
        callbackData: c.callbackData,
        context: { taskId: 'test-task', nodeId: 'test-node', projectId: 'test-project', attempt: 1 },
        approvedCapabilities: c.approve ?? project.manifest.capabilities,
      }, services);
      outcomes.push({ name: c.name, result, ...compare(c.expect, result) });
    }
  } finally {
    await runtime.close();
  }
  return outcomes;
}

function compare(expect: PluginTestCase['expect'], result: InvokeResult): { ok: boolean; problems: string[] } {
  const problems: string[] = [];
  const actual = result as unknown as Record<string, unknown>;
  const check = (field: string, want: unknown, got: unknown): void => {
    if (want !== undefined && !isDeepStrictEqual(want, got)) problems.push(`${field}: expected ${JSON.stringify(want)}, got ${JSON.stringify(got)}`);
  };
  check('status', expect.status, result.status);
  check('outputs', expect.outputs, actual.outputs);
  check('state', expect.state, actual.state);
  check('delayMs', expect.delayMs, actual.delayMs);
  check('multiple', expect.multiple, actual.multiple);
  check('error.code', expect.errorCode, result.status === 'failed' ? result.error.code : undefined);
  check('logs', expect.logs, expect.logs && result.logs.map((l) => l.message));
  if (result.status === 'failed' && expect.status !== 'failed') problems.push(`failed with ${result.error.code}: ${result.error.message}`);
  return { ok: problems.length === 0, problems };
}
export { loadPluginHarness, type PluginHarness } from './harness.js';
export { pluginSuite } from './plugin-suite.js';
