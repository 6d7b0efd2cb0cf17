import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import { PluginRuntime } from '../runtime.js';
import { isolatePlugin, testContext } from '../testing/fixtures.js';
import { forbiddenAddress, type Resolver } from './address-guard.js';
import { guardedFetch } from './guarded-fetch.js';

let server: Server;
let port = 0;
let hits = 0;
/** A non-loopback IPv4 address of this machine, when it has one: a private network plugins may reach. */
const lan = Object.values(networkInterfaces()).flat().find((a) => a && a.family === 'IPv4' && !a.internal)?.address;

/** DNS as a hostile name owner sets it up: names pointing at this machine, at metadata, or at both. */
const answers: Record<string, string[]> = {
  'rebound.test': ['127.0.0.1'],
  'metadata.test': ['169.254.169.254'],
  'mixed.test': ['10.1.2.3', '::ffff:127.0.0.1'],
  localhost: ['127.0.0.1'],
  ...(lan ? { 'intranet.test': [lan] } : {}),
};
const resolver: Resolver = async (name) => {
  const found = answers[name];
  if (!found) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
  return found.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
};
const guarded = guardedFetch(resolver);

before(async () => {
  server = createServer((_req, res) => { hits++; res.end('internal secret'); });
  await new Promise<void>((resolve) => server.listen(0, '0.0.0.0', resolve));
  port = (server.address() as AddressInfo).port;
});
after(() => server.close());

test('loopback, unspecified, link-local and multicast addresses are refused by name; private networks are not', () => {
  for (const ip of ['127.0.0.1', '127.8.9.10', '0.0.0.0', '169.254.169.254', '224.0.0.1', '::1', '::', 'fe80::1', 'ff02::1', '::ffff:127.0.0.1', '::FFFF:169.254.169.254']) {
    assert.ok(forbiddenAddress(ip), `${ip} is refused`);
  }
  for (const ip of ['10.0.0.1', '172.16.5.4', '192.168.1.1', '8.8.8.8', '2001:db8::1', '::ffff:10.0.0.1']) assert.equal(forbiddenAddress(ip), undefined, ip);
});

test('a host name that resolves to this machine or to cloud metadata is not connected to', async () => {
  for (const name of ['rebound.test', 'metadata.test', 'mixed.test']) {
    const before = hits;
    await assert.rejects(guarded(`http://${name}:${port}/`), (err: Error & { cause?: Error }) => {
      assert.match(String(err.message) + String(err.cause?.message ?? ''), /loopback, link-local or multicast/);
      return true;
    }, name);
    assert.equal(hits, before, `${name}: the server was never reached`);
  }
});

test('an address written out, localhost, and a private address by name are fetched', async () => {
  assert.equal(await (await guarded(`http://127.0.0.1:${port}/`)).text(), 'internal secret');
  assert.equal(await (await guarded(`http://localhost:${port}/`)).text(), 'internal secret');
  if (lan) assert.equal(await (await guarded(`http://intranet.test:${port}/`, { method: 'POST', body: '{}' })).text(), 'internal secret');
});

test('a plugin approved for a host name that resolves to this machine gets HTTP_FAILED, not the answer', async () => {
  const runtime = new PluginRuntime({ poolSize: 1, fetch: guarded });
  try {
    const origin = `http://rebound.test:${port}`;
    const plugin = isolatePlugin(`{ async execute(inputs) { try { const r = await host.http.fetch(inputs.url); return { body: r.text() }; } catch (e) { return { error: e.code, message: e.message }; } } }`, { capabilities: [`http:${origin}`] });
    const before = hits;
    const r = await runtime.invoke({ plugin, call: 'execute', inputs: { url: `${origin}/` }, context: testContext(), approvedCapabilities: plugin.manifest.capabilities }, {});
    assert.equal(r.status, 'done');
    const out = (r as { outputs: { error?: string; message?: string } }).outputs;
    assert.equal(out.error, 'HTTP_FAILED', JSON.stringify(out));
    assert.match(out.message ?? '', /loopback/);
    assert.equal(hits, before);
  } finally {
    await runtime.close();
  }
});
