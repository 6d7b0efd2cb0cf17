import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { HostServices } from '@opsloom/plugin-runtime';
import { pluginSuite } from '@opsloom/plugin-sdk/testing';

const invoke = pluginSuite(import.meta.url, 5);

test('notifies approvers on start, then a rejection fails the node with the comment', async () => {
  const sent: Record<string, unknown>[] = [];
  const services: HostServices = { async notifySend(m) { sent.push(m as Record<string, unknown>); return { delivered: true }; } };
  const inputs = { title: 'Deploy 2.3.1', message: 'Checks passed. Deploy?', approverRoles: ['developer', 'admin'], notify: { channel: 'email', to: ['lead@example.com'] } };
  const waiting = await invoke({ inputs }, services);
  assert.equal(waiting.status, 'wait-callback');
  if (waiting.status !== 'wait-callback') return;
  assert.equal(sent.length, 1);
  assert.equal(sent[0].subject, 'Approval needed: Deploy 2.3.1');
  assert.match(String(sent[0].text), /Checks passed\. Deploy\?[\s\S]*developer, admin[\s\S]*Task t1, node n1/);
  const rejected = await invoke({ call: 'callback', inputs, state: waiting.state, callbackData: { decision: 'reject', user: 'bob', role: 'admin', comment: 'freeze week' } }, services);
  assert.equal(rejected.status, 'failed');
  if (rejected.status !== 'failed') return;
  assert.equal(rejected.error.code, 'APPROVAL_REJECTED');
  assert.equal(rejected.error.message, 'rejected by bob (admin): freeze week');
});

test('malformed and unauthorised callbacks keep the node waiting; an approval outputs the approver', async () => {
  const inputs = { message: 'Go?', approverRoles: ['admin'] };
  const waiting = await invoke({ inputs }, {});
  assert.equal(waiting.status, 'wait-callback');
  if (waiting.status !== 'wait-callback') return;
  for (const data of [null, { decision: 'maybe', user: 'a', role: 'admin' }, { decision: 'approve', role: 'admin' }, { decision: 'approve', user: 'eve', role: 'developer' }]) {
    const r = await invoke({ call: 'callback', inputs, state: waiting.state, callbackData: data }, {});
    assert.equal(r.status, 'wait-callback', JSON.stringify(data));
    if (r.status === 'wait-callback') assert.deepEqual(r.state, waiting.state);
  }
  const ok = await invoke({ call: 'callback', inputs, state: waiting.state, callbackData: { decision: 'approve', user: 'alice', role: 'admin', comment: 'ship it' } }, {});
  assert.equal(ok.status, 'done');
  if (ok.status !== 'done') return;
  assert.equal(ok.outputs.approver, 'alice');
  assert.equal(ok.outputs.comment, 'ship it');
  assert.equal(ok.outputs.requestedAt, (waiting.state as { requestedAt: string }).requestedAt);
});

test('a failed notice only warns unless notifyRequired', async () => {
  const services: HostServices = { async notifySend() { throw new Error('SMTP unreachable'); } };
  const inputs = { message: 'Go?', approverRoles: ['admin'], notify: { channel: 'wecom', webhook: 'secret:wecom' } };
  const lenient = await invoke({ inputs }, services);
  assert.equal(lenient.status, 'wait-callback');
  assert.ok(lenient.logs.some((l) => l.level === 'warn' && /SMTP unreachable/.test(l.message)));
  const strict = await invoke({ inputs: { ...inputs, notifyRequired: true } }, services);
  assert.equal(strict.status, 'failed');
  if (strict.status === 'failed') assert.equal(strict.error.code, 'HOST_SERVICE_FAILED');
});
