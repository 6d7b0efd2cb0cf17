import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FlowNode } from '@opsloom/core/model';
import { isApprovalNode, nodeOperations, taskOperations } from './task-operations.js';
import { applyTaskEvent, compareVersions, snapshotEvents, type Task } from './task-types.js';
import { buildTimeline, formatDuration } from './timeline.js';

const enabled = (list: { op: string; enabled: boolean }[]) => list.filter((o) => o.enabled).map((o) => o.op);
const task: FlowNode = { id: 'a', type: 'task', plugin: { name: 'p', version: '1.0.0' }, inputs: {} };

test('task operations follow the task state and explain refusals', () => {
  assert.deepEqual(enabled(taskOperations({ state: 'created' })), ['start', 'revoke']);
  assert.deepEqual(enabled(taskOperations({ state: 'running' })), ['pause', 'revoke']);
  assert.deepEqual(enabled(taskOperations({ state: 'paused' })), ['resume', 'revoke']);
  assert.deepEqual(enabled(taskOperations({ state: 'failed' })), ['pause', 'revoke'], 'core pauses a failed task too');
  const done = taskOperations({ state: 'finished' });
  assert.deepEqual(enabled(done), []);
  assert.match(done.find((o) => o.op === 'revoke')!.reason!, /finished/);
});

test('node operations follow the node state, the node type and the template flags', () => {
  assert.deepEqual(enabled(nodeOperations({ state: 'failed' }, task, { state: 'failed' })), ['retry', 'skip', 'breakpoint']);
  const notRetryable = nodeOperations({ state: 'failed' }, { ...task, retryable: false }, { state: 'failed' });
  assert.match(notRetryable.find((o) => o.op === 'retry')!.reason!, /not retryable/);
  assert.deepEqual(enabled(nodeOperations({ state: 'running' }, task, { state: 'waiting' })), ['force-fail', 'callback']);
  assert.deepEqual(enabled(nodeOperations({ state: 'running' }, task, { state: 'pending' })), ['breakpoint']);
  assert.deepEqual(enabled(nodeOperations({ state: 'running' }, task, { state: 'suspended', breakpoint: true })), ['breakpoint', 'continue'], 'a held node may lose its breakpoint');
  assert.deepEqual(enabled(nodeOperations({ state: 'running' }, task, { state: 'running' })), ['force-fail']);
  assert.deepEqual(enabled(nodeOperations({ state: 'running' }, task, { state: 'ready', attempts: 1 })), ['force-fail', 'breakpoint'], 'waiting out its retry interval');
  assert.deepEqual(enabled(nodeOperations({ state: 'running' }, task, { state: 'ready', attempts: 0 })), ['breakpoint']);
  assert.deepEqual(enabled(nodeOperations({ state: 'failed' }, { id: 'g', type: 'exclusive' }, { state: 'failed' })), ['retry', 'skip-gateway', 'breakpoint']);
  assert.deepEqual(enabled(nodeOperations({ state: 'running' }, { id: 'start', type: 'start' }, { state: 'finished' })), []);
  const subflow: FlowNode = { id: 's', type: 'subflow', template: { id: 't', version: 1 }, params: {} };
  assert.deepEqual(enabled(nodeOperations({ state: 'running' }, subflow, { state: 'pending' })), [], 'a subflow pauses, it takes no breakpoint');
  assert.deepEqual(enabled(nodeOperations({ state: 'running' }, subflow, { state: 'waiting' }, { state: 'running' })), ['force-fail', 'pause']);
  assert.deepEqual(enabled(nodeOperations({ state: 'running' }, subflow, { state: 'waiting' }, { state: 'paused' })), ['force-fail', 'resume']);
  assert.match(nodeOperations({ state: 'running' }, subflow, { state: 'waiting' }).find((o) => o.op === 'pause')!.reason!, /reading/);
  const over = nodeOperations({ state: 'revoked' }, task, { state: 'failed' });
  assert.deepEqual(enabled(over), []);
  assert.match(over[0]!.reason!, /revoked/);
});

test('live events update node states, ignore stale versions, and feed the timeline', () => {
  let t: Task = {
    id: 't1', name: 'x', state: 'created', templateId: 'tpl', templateVersion: 1, variables: {}, createdAt: '2025-01-01T00:00:00Z',
    graph: { name: 'g', nodes: [{ id: 'start', type: 'start' }, { ...task, name: 'Run' }, { id: 'end', type: 'end' }], flows: [], variables: {}, outputs: [] },
    nodes: {},
  };
  t = applyTaskEvent(t, { type: 'task', taskId: 't1', state: 'running', at: '2025-01-01T00:00:00Z' });
  t = applyTaskEvent(t, { type: 'node', taskId: 't1', nodeId: 'a', state: 'running', version: 2, at: '2025-01-01T00:00:01Z' });
  t = applyTaskEvent(t, { type: 'node', taskId: 't1', nodeId: 'a', state: 'finished', version: 3, at: '2025-01-01T00:00:04Z' });
  const stale = applyTaskEvent(t, { type: 'node', taskId: 't1', nodeId: 'a', state: 'running', version: 2, at: '2025-01-01T00:00:05Z' });
  assert.equal(stale, t);
  assert.equal(applyTaskEvent(t, { type: 'task', taskId: 'other', state: 'failed', at: '' }), t);
  assert.equal(t.state, 'running');
  assert.equal(t.nodes.a!.state, 'finished');
  t = applyTaskEvent(t, { type: 'node', taskId: 't1', nodeId: 'end', state: 'running', at: '2025-01-01T00:00:04Z' });
  const tl = buildTimeline(t, Date.parse('2025-01-01T00:00:08Z'));
  assert.deepEqual(tl.bars.map((b) => [b.label, b.endMs - b.startMs, b.open]), [['Run', 3000, false], ['end', 4000, true]]);
  assert.equal(tl.bars[0]!.offset, 0);
  assert.equal(tl.bars[1]!.offset + tl.bars[1]!.width, 1);
  assert.equal(formatDuration(1234), '1.2 s');
  assert.equal(formatDuration(75_000), '1 min 15 s');
});

test('approval nodes are decided with approve, never a raw callback; other waits are refused with the reason', () => {
  const approval: FlowNode = { id: 'ap', type: 'task', plugin: { name: '@opsloom/plugin-approval', version: '1.0.0' }, inputs: {} };
  const ops = nodeOperations({ state: 'running' }, approval, { state: 'waiting', waiting: 'callback' });
  assert.deepEqual(enabled(ops), ['force-fail', 'approve']);
  assert.match(ops.find((o) => o.op === 'callback')!.reason!, /Approve or reject/);
  const polling = nodeOperations({ state: 'running' }, task, { state: 'waiting', waiting: 'poll' });
  assert.match(polling.find((o) => o.op === 'callback')!.reason!, /waiting for a poll/);
  assert.match(polling.find((o) => o.op === 'approve')!.reason!, /only an approval node/);
});

test('an approval is offered only to a role its rendered approverRoles lists, once that is known', () => {
  const approval: FlowNode = { id: 'ap', type: 'task', plugin: { name: '@opsloom/plugin-approval', version: '1.0.0' }, inputs: {} };
  const waiting = { state: 'waiting' as const, waiting: 'callback' };
  const inputs = { message: 'Go?', approverRoles: ['developer', 'admin'] };
  const as = (role: string) => nodeOperations({ state: 'running' }, approval, waiting, undefined, { role, inputs }).find((o) => o.op === 'approve')!;
  assert.equal(as('admin').enabled, true);
  assert.equal(as('developer').enabled, true);
  assert.equal(as('operator').enabled, false);
  assert.equal(as('operator').reason, 'only developer or admin may decide; your role here is operator');
  // Without the detail (or the role) the button stays offered: core decides and says why.
  assert.equal(nodeOperations({ state: 'running' }, approval, waiting).find((o) => o.op === 'approve')!.enabled, true);
  assert.equal(nodeOperations({ state: 'running' }, approval, waiting, undefined, { role: '', inputs }).find((o) => o.op === 'approve')!.enabled, true);
});

test('version tokens order as numbers or as core ids; a snapshot becomes events', () => {
  assert.ok(compareVersions(2, 10) < 0);
  assert.ok(compareVersions('01hx3k9m2a', '01hx3k9m2b') < 0);
  assert.equal(compareVersions('b', 'b'), 0);
  const events = snapshotEvents({ taskId: 't', state: 'running', nodes: { a: { state: 'finished', version: 'v1' } } });
  assert.deepEqual(events.map((e) => [e.type, e.nodeId, e.state]), [['task', undefined, 'running'], ['node', 'a', 'finished']]);
});

test('an approval node is any task of a plugin named */plugin-approval, as core decides', () => {
  const approval = (name: string): FlowNode => ({ ...task, plugin: { name, version: '1.0.0' } });
  assert.equal(isApprovalNode(approval('@opsloom/plugin-approval')), true);
  assert.equal(isApprovalNode(approval('@acme/plugin-approval')), true, 'another organisation\'s build');
  assert.equal(isApprovalNode(approval('@acme/plugin-approval-extra')), false);
  assert.equal(isApprovalNode(approval('plugin-approval')), false, 'an unscoped name lacks the slash core asks for');
  assert.deepEqual(enabled(nodeOperations({ state: 'running' }, approval('@acme/plugin-approval'), { state: 'waiting', waiting: 'callback' })), ['force-fail', 'approve']);
});
