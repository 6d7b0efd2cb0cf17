import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateManifest } from './validate.js';

function pkg(plugin: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: '@acme/plugin-ping',
    version: '1.2.0',
    keywords: ['opsloom-plugin'],
    opsloom: {
      plugin: {
        title: 'Ping',
        category: 'network',
        runtime: 'isolate',
        entry: 'dist/plugin.js',
        inputs: { type: 'object', properties: { host: { type: 'string' } }, required: ['host'] },
        outputs: { type: 'object', properties: { ok: { type: 'boolean' } } },
        mode: 'sync',
        capabilities: ['log', 'http:https://api.example.com', 'secrets.read:token'],
        limits: { memoryMb: 32, timeoutMs: 1000 },
        ...plugin,
      },
    },
    ...extra,
  };
}

test('a complete package.json validates and returns the manifest', () => {
  const r = validateManifest(pkg({ description: 'pings' }));
  assert.equal(r.ok, true);
  if (!r.ok) return;
  assert.equal(r.name, '@acme/plugin-ping');
  assert.equal(r.version, '1.2.0');
  assert.equal(r.manifest.runtime, 'isolate');
  assert.equal(r.manifest.description, 'pings');
  assert.deepEqual(r.manifest.limits, { memoryMb: 32, timeoutMs: 1000 });
});

test('errors name the field, including the index of a bad capability', () => {
  const r = validateManifest(pkg({ capabilities: ['log', 'cmdb.read', 'foo'] }));
  assert.equal(r.ok, false);
  if (r.ok) return;
  assert.deepEqual(r.errors, [{ path: 'opsloom.plugin.capabilities[2]', message: 'unknown capability "foo"' }]);
});

test('http capabilities must be bare origins', () => {
  const r = validateManifest(pkg({ capabilities: ['http:https://api.example.com/v1', 'http:ftp://x.example', 'http:https://u:p@x.example'] }));
  assert.equal(r.ok, false);
  if (r.ok) return;
  assert.deepEqual(r.errors.map((e) => e.path), [0, 1, 2].map((i) => `opsloom.plugin.capabilities[${i}]`));
  assert.match(r.errors[0].message, /no path, e.g. "https:\/\/api.example.com"/);
});

test('a capability longer than 191 characters is refused', () => {
  const origin = `https://${'a'.repeat(60)}.${'b'.repeat(60)}.${'c'.repeat(60)}.example.com`;
  const r = validateManifest(pkg({ capabilities: ['log', `http:${origin}`] }));
  assert.equal(r.ok, false);
  if (r.ok) return;
  assert.deepEqual(r.errors, [{ path: 'opsloom.plugin.capabilities[1]', message: 'must be at most 191 characters' }]);
});

test('missing keyword, bad mode, runtime, entry and limits are all reported', () => {
  const r = validateManifest(pkg(
    { mode: 'later', runtime: 'docker', entry: '../x.js', limits: { memoryMb: 2, timeoutMs: 'soon', cpu: 1 }, colour: 'red' },
    { keywords: [] },
  ));
  assert.equal(r.ok, false);
  if (r.ok) return;
  const paths = r.errors.map((e) => e.path).sort();
  assert.deepEqual(paths, [
    'keywords',
    'opsloom.plugin.colour',
    'opsloom.plugin.entry',
    'opsloom.plugin.limits.cpu',
    'opsloom.plugin.limits.memoryMb',
    'opsloom.plugin.limits.timeoutMs',
    'opsloom.plugin.mode',
    'opsloom.plugin.runtime',
  ]);
});

test('inputs must be an object schema; a wasm entry must be a .wasm file', () => {
  const r = validateManifest(pkg({ inputs: { type: 'string' }, runtime: 'wasm', entry: 'plugin.js' }));
  assert.equal(r.ok, false);
  if (r.ok) return;
  assert.deepEqual(r.errors.map((e) => e.path), ['opsloom.plugin.entry', 'opsloom.plugin.inputs.type']);
});

test('a package without the block, or not an object, is refused with a hint', () => {
  const r = validateManifest({ name: 'x', version: '1.0.0', keywords: ['opsloom-plugin'] });
  assert.equal(r.ok, false);
  if (!r.ok) assert.match(r.errors[0].message, /add an "opsloom"/);
  const s = validateManifest('nope');
  assert.equal(s.ok, false);
});
