import { test } from 'node:test';
import assert from 'node:assert/strict';
import { minRole, roleAllows, roleCovers } from './roles.js';

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

test('a role covers itself and the roles below it, never one above', () => {
  assert.equal(roleCovers('operator', 'operator'), true);
  assert.equal(roleCovers('operator', 'viewer'), true);
  assert.equal(roleCovers('operator', 'developer'), false);
  assert.equal(roleCovers('viewer', 'admin'), false);
  assert.equal(roleCovers('admin', 'admin'), true);
});
