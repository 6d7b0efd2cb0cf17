import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hashPassword, randomPassword, verifyPassword } from './password.js';

test('a hashed password verifies, a wrong one does not, and hashes are salted', async () => {
  const h1 = await hashPassword('s3cret-pass');
  const h2 = await hashPassword('s3cret-pass');
  assert.notEqual(h1, h2);
  assert.match(h1, /^scrypt\$32768\$8\$1\$/);
  assert.equal(await verifyPassword('s3cret-pass', h1), true);
  assert.equal(await verifyPassword('s3cret-pasS', h1), false);
  assert.equal(await verifyPassword('s3cret-pass', 'garbage'), false);
});

test('random passwords are long and distinct', () => {
  const a = randomPassword();
  assert.ok(a.length >= 24);
  assert.notEqual(a, randomPassword());
});
