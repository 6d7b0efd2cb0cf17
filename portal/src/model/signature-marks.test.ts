import { test } from 'node:test';
import assert from 'node:assert/strict';
import { installGate, signatureText } from './signature-marks.js';

test('signature marks: an invalid signature names the claimed organisation and offers no acceptance', () => {
  assert.equal(signatureText('trusted', 'orgb'), 'signed by orgb (trusted)');
  assert.equal(signatureText('untrusted', 'orgb'), 'signed by orgb (not trusted here)');
  assert.equal(signatureText('invalid', 'orgb'), 'signature does not verify (claims orgb)');
  assert.equal(signatureText('invalid', null), 'signature does not verify');
  assert.equal(signatureText('unsigned', null), 'unsigned');
  assert.equal(signatureText('verified', 'orgb'), 'signed by orgb (verified at install)', 'installed plugins carry what the installer found');
  assert.equal(signatureText('unsigned-approved', null), 'unsigned: approved by an administrator');
  assert.equal(signatureText('unsigned-approved', 'orgb'), 'signed by orgb, not trusted: approved by an administrator');
  assert.deepEqual(installGate('trusted'), { kind: 'verified' });
  assert.deepEqual(installGate('untrusted'), { kind: 'accept', label: 'I accept this untrusted version' });
  assert.deepEqual(installGate('unsigned'), { kind: 'accept', label: 'I accept this unsigned version' });
  assert.equal(installGate('invalid').kind, 'refused');
});
