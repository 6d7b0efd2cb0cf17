import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ParamCipher } from './param-cipher.js';

test('parameters are sealed with AES-256-GCM under a generated 0600 key file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'opsloom-cipher-'));
  try {
    const a = ParamCipher.load({ secretKey: undefined, dataDir: dir });
    const sealed = a.seal('--password hunter2');
    assert.match(sealed, /^v1:/);
    assert.ok(!sealed.includes('hunter2'));
    assert.notEqual(a.seal('--password hunter2'), sealed, 'a fresh IV every time');
    assert.equal(statSync(join(dir, 'secret.key')).mode & 0o777, 0o600);
    // Another process on the same data directory reads the same key.
    assert.equal(ParamCipher.load({ secretKey: undefined, dataDir: dir }).open(sealed), '--password hunter2');
    const other = ParamCipher.load({ secretKey: 'x'.repeat(40), dataDir: dir });
    assert.throws(() => other.open(sealed));
    const tampered = sealed.slice(0, -4) + (sealed.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    assert.throws(() => a.open(tampered));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
