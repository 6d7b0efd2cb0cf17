import { test } from 'node:test';
import assert from 'node:assert/strict';
import { minRole, roleAllows } from './roles.js';

test('each role carries the rights of the ranks below it', () => {
  assert.equal(roleAllows('viewer', 'read'), true);
  assert.equal(roleAllows('viewer', 'operate'), false);
  assert.equal(roleAllows('operator', 'operate'), true);
  assert.equal(roleAllows('operator', 'develop'), false);
  assert.equal(roleAllows('developer', 'develop'), true);
  assert.equal(roleAllows('developer', 'manage'), false);
  assert.equal(roleAllows('admin', 'manage'), true);
  assert.equal(minRole('admin', 'operator'), 'operator');
  assert.equal(minRole('viewer', 'developer'), 'viewer');
});
