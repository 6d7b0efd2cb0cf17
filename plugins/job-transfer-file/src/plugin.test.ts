import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { HostServices } from '@opsloom/plugin-runtime';
import { pluginSuite } from '@opsloom/plugin-sdk/testing';

const invoke = pluginSuite(import.meta.url, 6);

test('sends the parsed source and targets, polls until done, and tolerates a ratio', async () => {
  const calls: Record<string, unknown>[] = [];
  let polls = 0;
  const services: HostServices = {
    async agentTransfer(args) {
      const a = args as Record<string, unknown>;
      calls.push(a);
      if (a.action === 'start') return { jobId: 'tr-9' };
      if (++polls < 2) return { jobId: 'tr-9', state: 'running', hosts: [], counts: {} };
      return {
        jobId: 'tr-9', state: 'failed', counts: { success: 1, failed: 1 },
        hosts: [
          { hostId: 'a', cloudArea: 2, ip: '10.1.0.1', status: 'success', exitCode: null, tag: null, startedAt: 1, finishedAt: 2 },
          { hostId: 'b', cloudArea: 2, ip: '10.1.0.2', status: 'failed', exitCode: null, tag: null, startedAt: 1, finishedAt: 2 },
        ],
      };
    },
  };
  const inputs = { source: { host: '2:10.1.0.9', path: '/srv/pkg.tgz' }, targets: { ips: ['2:10.1.0.1', '2:10.1.0.2'] }, targetPath: '/opt/pkg', account: 'deploy', tolerateFailureRatio: 0.5 };
  let result = await invoke({ inputs }, services);
  const delays: number[] = [];
  while (result.status === 'poll') {
    delays.push(result.delayMs);
    result = await invoke({ call: 'poll', inputs, state: result.state }, services);
  }
  assert.deepEqual(calls[0], {
    action: 'start', source: { host: { cloudArea: 2, ip: '10.1.0.9' }, path: '/srv/pkg.tgz' },
    targets: { hosts: [{ cloudArea: 2, ip: '10.1.0.1' }, { cloudArea: 2, ip: '10.1.0.2' }] }, targetPath: '/opt/pkg/', account: 'deploy',
  });
  assert.deepEqual(delays, [1000, 1500]);
  assert.equal(result.status, 'done');
  if (result.status !== 'done') return;
  assert.deepEqual(result.outputs.failedHosts, ['2:10.1.0.2']);
  assert.deepEqual(result.outputs.successHosts, ['2:10.1.0.1']);
});

test('a transfer running past timeoutSeconds is cancelled and fails the node', async () => {
  const actions: string[] = [];
  const services: HostServices = {
    async agentTransfer(args) {
      actions.push((args as { action: string }).action);
      return { jobId: 'tr-5', state: 'running', hosts: [], counts: {} };
    },
  };
  const inputs = { source: { uploadId: 'u' }, targets: { ips: ['10.0.0.1'] }, targetPath: '/opt' };
  const result = await invoke({ call: 'poll', inputs, state: { jobId: 'tr-5', polls: 3, deadline: Date.now() - 1, errors: 0, tolerate: 0, maxDelayMs: 10000 } }, services);
  assert.equal(result.status, 'failed');
  if (result.status === 'failed') assert.equal(result.error.code, 'JOB_TIMEOUT');
  assert.deepEqual(actions, ['status', 'cancel']);
});

test('cancel asks the job service to cancel the transfer the state names', async () => {
  const calls: unknown[] = [];
  const services: HostServices = { async agentTransfer(args) { calls.push(args); return { ok: true }; } };
  const inputs = { source: { uploadId: 'u' }, targets: { ips: ['10.0.0.1'] }, targetPath: '/opt' };
  const result = await invoke({ call: 'cancel', inputs, state: { jobId: 'tr-6', polls: 1, deadline: Date.now() + 60_000, errors: 0, tolerate: 0, maxDelayMs: 10000 } }, services);
  assert.deepEqual([result.status, result.logs.map((l) => l.message)], ['done', ['cancelled transfer job tr-6']]);
  assert.deepEqual(calls, [{ action: 'cancel', jobId: 'tr-6' }]);
});
