import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isApproved, pluginActions, unapprovedCapabilities } from './plugin-actions.js';

const enabled = (list: { op: string; enabled: boolean }[]) => list.filter((o) => o.enabled).map((o) => o.op);

test('plugin actions: status changes, approval of what is not approved yet, admins only', () => {
  const p = { status: 'online' as const, capabilities: ['agent.execute', 'http:https://x.example'], approvedCapabilities: ['agent.execute'] };
  assert.deepEqual(unapprovedCapabilities(p), ['http:https://x.example']);
  assert.equal(isApproved(p), false);
  assert.deepEqual(enabled(pluginActions(p, true)), ['offline', 'disabled', 'approve']);
  assert.match(pluginActions(p, true).find((a) => a.op === 'online')!.reason!, /online already/);
  assert.deepEqual(enabled(pluginActions(p, false)), []);
  assert.match(pluginActions(p, false)[0]!.reason!, /administrator/);
  const none = { status: 'disabled' as const, capabilities: [], approvedCapabilities: null };
  assert.equal(isApproved(none), false, 'never approved');
  assert.deepEqual(enabled(pluginActions(none, true)), ['online', 'offline', 'approve']);
  const done = { ...p, approvedCapabilities: [...p.capabilities] };
  assert.match(pluginActions(done, true).find((a) => a.op === 'approve')!.reason!, /approved/);
});
