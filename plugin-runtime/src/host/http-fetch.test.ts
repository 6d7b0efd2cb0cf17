import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PluginRuntime } from '../runtime.js';
import type { InvokeResult } from '../interface.js';
import { isolatePlugin, testContext } from '../testing/fixtures.js';

let allowed: Server;
let other: Server;
let allowedOrigin = '';
let otherOrigin = '';
let otherHits = 0;
const runtime = new PluginRuntime({ poolSize: 1, httpResponseBytes: 64 * 1024 });

function listen(server: Server): Promise<string> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
}

before(async () => {
  other = createServer((_req, res) => {
    otherHits++;
    res.end('secret from the other origin');
  });
  otherOrigin = await listen(other);
  allowed = createServer((req, res) => {
    if (req.url === '/json') return void res.end(JSON.stringify({ method: req.method, auth: req.headers.authorization ?? null }));
    if (req.url === '/hop') return void res.writeHead(302, { location: '/json' }).end();
    if (req.url === '/escape') return void res.writeHead(302, { location: `${otherOrigin}/steal` }).end();
    if (req.url === '/broken-hop') return void res.writeHead(302, { location: 'http://[::1' }).end();
    if (req.url === '/big') return void res.end('x'.repeat(200 * 1024));
    res.writeHead(404).end();
  });
  allowedOrigin = await listen(allowed);
});

after(async () => {
  await runtime.close();
  allowed.close();
  other.close();
});

function fetchPlugin(path: string, origin = allowedOrigin): Promise<InvokeResult> {
  const plugin = isolatePlugin(`{ async execute(inputs) {
    try {
      const res = await host.http.fetch(inputs.url, { method: 'POST', headers: { authorization: 'Bearer t' }, body: '{}' });
      return { status: res.status, ok: res.ok, body: res.text() };
    } catch (e) { return { error: e.code, message: e.message }; }
  } }`, { capabilities: [`http:${allowedOrigin}`] });
  return runtime.invoke({ plugin, call: 'execute', inputs: { url: `${origin}${path}` }, context: testContext(), approvedCapabilities: plugin.manifest.capabilities }, {});
}

test('a declared origin is fetched through the host', async () => {
  const r = await fetchPlugin('/json');
  assert.deepEqual(r.status === 'done' && r.outputs, { status: 200, ok: true, body: '{"method":"POST","auth":"Bearer t"}' });
});

test('a redirect within the origin is followed (303-style to GET for POST)', async () => {
  const r = await fetchPlugin('/hop');
  assert.deepEqual(r.status === 'done' && r.outputs, { status: 200, ok: true, body: '{"method":"GET","auth":"Bearer t"}' });
});

test('an undeclared origin is refused before any request is made', async () => {
  const r = await fetchPlugin('/steal', otherOrigin);
  assert.equal(r.status === 'done' && r.outputs.error, 'CAPABILITY_DENIED');
  assert.equal(otherHits, 0);
});

test('a redirect to another origin is refused and not followed', async () => {
  const r = await fetchPlugin('/escape');
  assert.equal(r.status === 'done' && r.outputs.error, 'CAPABILITY_DENIED');
  assert.equal(otherHits, 0);
});

test('a redirect to something that is not a URL fails as HTTP_FAILED, naming it', async () => {
  const r = await fetchPlugin('/broken-hop');
  assert.equal(r.status === 'done' && r.outputs.error, 'HTTP_FAILED', JSON.stringify(r));
  assert.match(r.status === 'done' ? String(r.outputs.message) : '', /redirects to "http:\/\/\[::1", which is not a URL/);
});

test('a response over the size cap is refused', async () => {
  const r = await fetchPlugin('/big');
  assert.equal(r.status === 'done' && r.outputs.error, 'HTTP_FAILED');
  assert.match(r.status === 'done' ? String(r.outputs.message) : '', /65536-byte limit/);
});

test('an operator allow-list entry written with upper case and a slash still names the granted origin', async () => {
  const loose = new PluginRuntime({ poolSize: 1, httpOrigins: [`${allowedOrigin.toUpperCase()}/`] });
  try {
    const plugin = isolatePlugin(`{ async execute(inputs) { try { const r = await host.http.fetch(inputs.url); return { status: r.status }; } catch (e) { return { error: e.code }; } } }`, { capabilities: [`http:${allowedOrigin}`] });
    const r = await loose.invoke({ plugin, call: 'execute', inputs: { url: `${allowedOrigin}/json` }, context: testContext(), approvedCapabilities: plugin.manifest.capabilities }, {});
    assert.deepEqual(r.status === 'done' && r.outputs, { status: 200 });
  } finally {
    await loose.close();
  }
});

test('the operator allow-list narrows http capabilities', async () => {
  const narrow = new PluginRuntime({ poolSize: 1, httpOrigins: ['https://only.example'] });
  try {
    const plugin = isolatePlugin(`{ async execute(inputs) { try { await host.http.fetch(inputs.url); return { ok: true }; } catch (e) { return { error: e.code }; } } }`, { capabilities: [`http:${allowedOrigin}`] });
    const r = await narrow.invoke({ plugin, call: 'execute', inputs: { url: `${allowedOrigin}/json` }, context: testContext(), approvedCapabilities: plugin.manifest.capabilities }, {});
    assert.deepEqual(r.status === 'done' && r.outputs, { error: 'CAPABILITY_DENIED' });
  } finally {
    await narrow.close();
  }
});
