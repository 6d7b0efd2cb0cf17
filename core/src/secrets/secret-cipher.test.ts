import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SecretCipher, SecretCipherError, secretKeyFile } from './secret-cipher.js';

test('a generated key file is private, reused, and opens only what it sealed with the same purpose and binding', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'opsloom-cipher-'));
  try {
    const a = SecretCipher.load({ secretKey: undefined, dataDir }, 'p1');
    assert.equal(statSync(secretKeyFile(dataDir)).mode & 0o777, 0o600);
    const sealed = a.seal('hunter2', 'row-1');
    assert.doesNotMatch(sealed, /hunter2/);
    assert.notEqual(a.seal('hunter2', 'row-1'), sealed, 'every seal uses a fresh IV');
    assert.equal(SecretCipher.load({ secretKey: undefined, dataDir }, 'p1').open(sealed, 'row-1'), 'hunter2', 'the key file is reused');
    assert.throws(() => a.open(sealed, 'row-2'), SecretCipherError, 'bound to its row');
    assert.throws(() => SecretCipher.load({ secretKey: undefined, dataDir }, 'p2').open(sealed, 'row-1'), SecretCipherError, 'bound to its purpose');
    const configured = SecretCipher.load({ secretKey: 'x'.repeat(32), dataDir }, 'p1');
    assert.throws(() => configured.open(sealed, 'row-1'), SecretCipherError, 'another master key');
    const tampered = sealed.slice(0, -4) + (sealed.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    assert.throws(() => a.open(tampered, 'row-1'), SecretCipherError);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
