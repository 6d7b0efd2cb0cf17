import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PluginRuntime } from '../runtime.js';
import { compileHttpOrigins } from './operator-origins.js';

test('allow-list entries are normalised to the origins http capabilities name', () => {
  assert.deepEqual(compileHttpOrigins(['https://Only.example/', 'HTTP://api.example:80', 'https://api.example:8443']),
    ['https://only.example', 'http://api.example', 'https://api.example:8443']);
});

test('an entry that is not an origin is refused when the runtime is created, naming it', () => {
  for (const [entry, why] of [
    ['https://api.example/v1', /"https:\/\/api\.example\/v1" has a path/],
    ['https://api.example/?x=1', /"https:\/\/api\.example\/\?x=1" has a path, query or fragment/],
    ['ftp://files.example', /"ftp:\/\/files\.example" must use http or https/],
    ['https://user:pw@api.example', /must not carry credentials/],
    ['api.example', /"api\.example" is not a URL/],
  ] as const) {
    assert.throws(() => new PluginRuntime({ httpOrigins: ['https://fine.example', entry] }), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'RUNTIME_OPTIONS_INVALID');
      assert.match(err.message, why);
      return true;
    }, entry);
  }
});
