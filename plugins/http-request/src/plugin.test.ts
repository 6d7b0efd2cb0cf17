import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PluginRuntime, validateManifest, type HostServices, type InvokeRequest, type InvokeResult, type PluginPackage } from '@opsloom/plugin-runtime';
import { runPluginTests } from '@opsloom/plugin-sdk/testing';
import { base64 } from './base64.js';
import { evaluate, parseJsonPath } from './json-path.js';

const dir = fileURLToPath(new URL('../..', import.meta.url));
/** Requests the customer system received. */
const received: { method: string; url: string; headers: Record<string, string | string[] | undefined>; body: string }[] = [];
let answers: { status: number; body: string }[] = [];
const server = createServer((req, res) => {
  let body = '';
  req.on('data', (c: Buffer) => (body += c.toString('utf8')));
  req.on('end', () => {
    received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
    const a = answers.shift() ?? { status: 200, body: '{}' };
    res.writeHead(a.status, { 'content-type': 'application/json' }).end(a.body);
  });
});
let port = 0;
// The manifest declares http://127.0.0.1:8080; the runtime's fetch carries that origin to this test's own port.
const runtime = new PluginRuntime({
  poolSize: 1,
  fetch: ((input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    assert.equal(url.origin, 'http://127.0.0.1:8080');
    url.port = String(port);
    return fetch(url, init);
  }) as typeof fetch,
});
let plugin: PluginPackage;

before(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
  // Test the current source: bundle it with the SDK's build, exactly as `npm run build` does.
  const cli = new URL('./cli.js', import.meta.resolve('@opsloom/plugin-sdk/testing'));
  const { main } = (await import(cli.href)) as { main(argv: string[], out: (l: string) => void): Promise<number> };
  const lines: string[] = [];
  assert.equal(await main(['build', dir], (l) => lines.push(l)), 0, lines.join('\n'));
  const r = validateManifest(JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')));
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  plugin = { name: r.name, version: r.version, manifest: r.manifest, code: await readFile(join(dir, r.manifest.entry), 'utf8') };
});
after(async () => {
  await runtime.close();
  await new Promise((r) => server.close(r));
});

function invoke(req: Partial<InvokeRequest>, services: HostServices): Promise<InvokeResult> {
  return runtime.invoke({
    plugin,
    call: 'execute',
    inputs: {},
    context: { taskId: 't1', nodeId: 'n1', projectId: 'p1', attempt: 1 },
    approvedCapabilities: plugin.manifest.capabilities,
    ...req,
  }, services);
}

test('every case of plugin.test.json passes in the sandbox', async () => {
  const outcomes = await runPluginTests(dir);
  assert.ok(outcomes.length >= 7);
  for (const o of outcomes) assert.ok(o.ok, `${o.name}: ${o.problems.join('; ')}`);
});

test('POSTs JSON with a bearer token, retries a 503, and never keeps the secret in the poll state', async () => {
  received.length = 0;
  answers = [{ status: 503, body: 'busy' }, { status: 201, body: '{"release":{"id":42,"hosts":["a","b"]}}' }];
  const services: HostServices = { async secretRead(name) { assert.equal(name, 'http-request-auth'); return 's3cr3t-token'; } };
  const inputs = { method: 'POST', url: 'http://127.0.0.1:8080/api/releases', body: { app: 'api' }, auth: { type: 'bearer', secret: 'http-request-auth' }, expectStatus: [201], extract: { id: '$.release.id', last: '$.release.hosts[-1]' }, retryDelayMs: 200 };
  const first = await invoke({ inputs }, services);
  assert.equal(first.status, 'poll');
  if (first.status !== 'poll') return;
  assert.equal(first.delayMs, 200);
  assert.doesNotMatch(JSON.stringify(first.state), /s3cr3t/);
  const second = await invoke({ call: 'poll', inputs, state: first.state }, services);
  assert.equal(second.status, 'done');
  if (second.status !== 'done') return;
  assert.deepEqual(second.outputs.extracted, { id: 42, last: 'b' });
  assert.equal(second.outputs.attempts, 2);
  assert.equal(received.length, 2);
  for (const r of received) {
    assert.equal(r.method, 'POST');
    assert.equal(r.url, '/api/releases');
    assert.equal(r.headers.authorization, 'Bearer s3cr3t-token');
    assert.equal(r.headers['content-type'], 'application/json');
    assert.equal(r.body, '{"app":"api"}');
  }
});

test('retries run out: the last non-2xx status fails the node with its body', async () => {
  received.length = 0;
  answers = [{ status: 502, body: 'bad gateway' }, { status: 502, body: 'still bad' }];
  const inputs = { url: 'http://127.0.0.1:8080/flaky', retries: 1, retryDelayMs: 100 };
  const first = await invoke({ inputs }, {});
  assert.equal(first.status, 'poll');
  if (first.status !== 'poll') return;
  const second = await invoke({ call: 'poll', inputs, state: first.state }, {});
  assert.equal(second.status, 'failed');
  if (second.status !== 'failed') return;
  assert.equal(second.error.code, 'HTTP_STATUS_UNEXPECTED');
  assert.match(second.error.message, /answered 502, expected 2xx \(after 2 attempts\): still bad/);
});

test('basic auth encodes UTF-8 user names; header auth uses the named header', async () => {
  received.length = 0;
  answers = [];
  const services: HostServices = { async secretRead() { return 'pässword'; } };
  await invoke({ inputs: { url: 'http://127.0.0.1:8080/a', auth: { type: 'basic', secret: 'http-request-auth-2', username: 'jörg' } } }, services);
  await invoke({ inputs: { url: 'http://127.0.0.1:8080/b', auth: { type: 'header', secret: 'http-request-auth-3', header: 'X-Token' } } }, services);
  assert.equal(received[0].headers.authorization, `Basic ${Buffer.from('jörg:pässword').toString('base64')}`);
  assert.equal(received[1].headers['x-token'], 'pässword');
});

test('the JSON-path subset and base64 agree with their references', () => {
  const doc = { a: { 'b c': [1, { d: null }] }, list: [10, 20, 30] };
  assert.deepEqual(evaluate(doc, parseJsonPath("$.a['b c'][1].d")), null);
  assert.equal(evaluate(doc, parseJsonPath('$.list[-1]')), 30);
  assert.equal(evaluate(doc, parseJsonPath('$.list[3]')), undefined);
  assert.equal(evaluate(doc, parseJsonPath('$.a.constructor')), undefined);
  assert.deepEqual(evaluate(doc, parseJsonPath('$')), doc);
  for (const bad of ['a.b', '$.', '$[*]', '$..a', '$.a[0', '$a']) assert.throws(() => parseJsonPath(bad), { code: 'JSON_PATH_INVALID' }, bad);
  for (const s of ['', 'f', 'fo', 'foo', 'user:pass', 'ünïcødé 😀']) assert.equal(base64(s), Buffer.from(s).toString('base64'), s);
});
