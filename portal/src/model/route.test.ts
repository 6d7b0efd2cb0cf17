import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRoute, routeHash } from './route.js';
import { problemToError } from './problem.js';

test('routes parse and format symmetrically', () => {
  assert.deepEqual(parseRoute(''), { page: 'projects', query: {} });
  assert.deepEqual(parseRoute('#/p/ops'), { page: 'flows', project: 'ops', query: {} });
  assert.deepEqual(parseRoute('#/p/ops/flows/new'), { page: 'flow-editor', project: 'ops', id: 'new', query: {} });
  assert.deepEqual(parseRoute('#/p/ops/tasks/new?template=t1'), { page: 'task-new', project: 'ops', query: { template: 't1' } });
  assert.deepEqual(parseRoute('#/p/ops/tasks/t%201'), { page: 'task', project: 'ops', id: 't 1', query: {} });
  assert.equal(parseRoute('#/p/ops/nope').page, 'not-found');
  assert.equal(parseRoute('#/signin?next=x').query.next, 'x');
  assert.deepEqual(parseRoute('#/p/ops/marketplace/%40acme%2Fping'), { page: 'plugin', project: 'ops', id: '@acme/ping', query: {} });
  assert.deepEqual(parseRoute('#/p/ops/jobs/j1'), { page: 'job', project: 'ops', id: 'j1', query: {} });
  assert.deepEqual(parseRoute('#/p/ops/jobs?tab=scripts'), { page: 'jobs', project: 'ops', query: { tab: 'scripts' } });
  assert.deepEqual(parseRoute('#/p/ops/settings'), { page: 'settings', project: 'ops', query: {} });
  for (const hash of ['#/p/ops/marketplace/%40acme%2Fping', '#/p/ops/jobs/j1', '#/p/ops/jobs?tab=scripts', '#/p/ops/periodic', '#/p/ops/flows/tpl_1', '#/p/ops/tasks/new?template=t1', '#/p/ops/tasks/t%201', '#/p/ops/audit', '#/p/ops/settings', '#/signin']) {
    assert.equal(routeHash(parseRoute(hash)), hash);
  }
});

test('problem documents become readable errors with their code and field list', () => {
  const e = problemToError(422, { code: 'validation', detail: 'the body is invalid', errors: [{ path: 'name', message: 'is required' }] });
  assert.equal(e.code, 'validation');
  assert.equal(e.message, 'the body is invalid: name is required');
  assert.equal(e.errors.length, 1);
  const missing = problemToError(404, { code: 'route_not_found', detail: 'no route for GET /api/v1/x' });
  assert.equal(missing.missingRoute, true);
  assert.match(problemToError(401, undefined).message, /sign in/);
  assert.equal(problemToError(502, 'Bad gateway').message, 'Bad gateway');
});

test('editor shortcuts map keys to commands', async () => {
  const { shortcut } = await import('./shortcuts.js');
  assert.equal(shortcut({ key: 'z', ctrlKey: true }), 'undo');
  assert.equal(shortcut({ key: 'Z', metaKey: true, shiftKey: true }), 'redo');
  assert.equal(shortcut({ key: 'y', ctrlKey: true }), 'redo');
  assert.equal(shortcut({ key: 'ArrowLeft' }), 'nudge-left');
  assert.equal(shortcut({ key: 'c' }), 'start-connect');
  assert.equal(shortcut({ key: 'c', ctrlKey: true }), 'copy');
  assert.equal(shortcut({ key: 'L', shiftKey: true }), 'layout');
  assert.equal(shortcut({ key: 'q' }), undefined);
  assert.equal(shortcut({ key: 'ArrowLeft', altKey: true }), undefined);
});
