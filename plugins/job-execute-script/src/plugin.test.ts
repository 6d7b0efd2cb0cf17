import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { HostServices, InvokeResult } from '@opsloom/plugin-runtime';
import { pluginSuite } from '@opsloom/plugin-sdk/testing';

const invoke = pluginSuite(import.meta.url, 8);

/** A job service that reports "running" twice, then a finished job with one failed host of four. */
function jobService(): { services: HostServices; calls: Record<string, unknown>[] } {
  const calls: Record<string, unknown>[] = [];
  let statusCalls = 0;
  const host = (n: number, status: string, exitCode: number) => ({ hostId: `h${n}`, cloudArea: 0, ip: `10.0.0.${n}`, status, exitCode, tag: null, startedAt: 1, finishedAt: 2 });
  const services: HostServices = {
    async agentExecute(args) {
      const a = args as Record<string, unknown>;
      calls.push(a);
      if (a.action === 'start') return { jobId: 'job-42' };
      if (a.action === 'log') return { text: `x`.repeat(5000) + 'disk full', nextOffset: 5009, done: true };
      if (a.action !== 'status') throw new Error(`unexpected ${String(a.action)}`);
      if (++statusCalls < 3) return { jobId: 'job-42', state: 'running', hosts: [], counts: {} };
      return {
        jobId: 'job-42', state: 'failed', counts: { success: 3, failed: 1 },
        hosts: [host(1, 'success', 0), host(2, 'success', 0), host(3, 'failed', 28), host(4, 'success', 0)],
      };
    },
  };
  return { services, calls };
}

async function runToEnd(inputs: Record<string, unknown>, services: HostServices): Promise<{ result: InvokeResult; delays: number[] }> {
  let result = await invoke({ inputs }, services);
  const delays: number[] = [];
  while (result.status === 'poll') {
    delays.push(result.delayMs);
    result = await invoke({ call: 'poll', inputs, state: result.state }, services);
  }
  return { result, delays };
}

test('polls with a growing interval, then fails the node when a host fails', async () => {
  const { services, calls } = jobService();
  const { result, delays } = await runToEnd({ scriptId: 'scr-1', scriptVersionId: 'v2', params: '-x', targets: { ips: ['0:10.0.0.1', '10.0.0.2'], topology: [{ set: 'prod', module: 'web' }] } }, services);
  assert.deepEqual(delays, [1000, 1500, 2250]);
  assert.deepEqual(calls[0], {
    action: 'start', scriptId: 'scr-1', scriptVersionId: 'v2', params: '-x', sensitiveParams: false, timeoutSeconds: 600,
    targets: { hosts: [{ cloudArea: 0, ip: '10.0.0.1' }, { cloudArea: 0, ip: '10.0.0.2' }], topology: [{ set: 'prod', module: 'web' }] },
  });
  assert.equal(result.status, 'failed');
  if (result.status !== 'failed') return;
  assert.equal(result.error.code, 'JOB_HOSTS_FAILED');
  assert.match(result.error.message, /1 of 4 hosts failed in job job-42: 0:10\.0\.0\.3 failed \(exit 28\)/);
  // The failed host's output tail is in the task log, cut to its last characters.
  const tail = result.logs.find((l) => l.message.startsWith('0:10.0.0.3'));
  assert.ok(tail && tail.message.endsWith('disk full') && tail.message.length < 2100);
  assert.deepEqual(calls.filter((c) => c.action === 'log'), [{ action: 'log', jobId: 'job-42', hostId: 'h3' }]);
});

test('a tolerated failure ratio lets the node succeed with per-host lists', async () => {
  const { services } = jobService();
  const { result } = await runToEnd({ script: 'df -h', language: 'sh', tolerateFailureRatio: 0.25, targets: { group: 'web' } }, services);
  assert.equal(result.status, 'done');
  if (result.status !== 'done') return;
  assert.equal(result.outputs.jobId, 'job-42');
  assert.deepEqual(result.outputs.successHosts, ['0:10.0.0.1', '0:10.0.0.2', '0:10.0.0.4']);
  assert.deepEqual(result.outputs.failedHosts, ['0:10.0.0.3']);
  assert.equal(result.outputs.failureRatio, 0.25);
});

test('a flaky job service is ridden out, a cancelled job fails the node', async () => {
  let n = 0;
  const services: HostServices = {
    async agentExecute(args) {
      const a = args as Record<string, unknown>;
      if (a.action === 'start') return { jobId: 'job-7' };
      if (++n === 1) throw new Error('gateway restarting');
      return { jobId: 'job-7', state: 'cancelled', hosts: [], counts: {} };
    },
  };
  const { result, delays } = await runToEnd({ script: 'sleep 100', targets: { hostIds: ['h1'] }, maxPollIntervalSeconds: 2 }, services);
  assert.deepEqual(delays, [1000, 2000]);
  assert.equal(result.status, 'failed');
  if (result.status === 'failed') assert.equal(result.error.code, 'JOB_CANCELLED');
});

test('a job still running past its deadline is cancelled', async () => {
  const actions: unknown[] = [];
  const services: HostServices = {
    async agentExecute(args) {
      actions.push((args as { action: string }).action);
      return { jobId: 'job-9', state: 'running', hosts: [], counts: {} };
    },
  };
  const state = { jobId: 'job-9', polls: 9, deadline: Date.now() - 1, errors: 0, tolerate: 0, maxDelayMs: 10000, logFailedHosts: 3 };
  const result = await invoke({ call: 'poll', inputs: { script: 'sleep 1000', targets: { ips: ['10.0.0.9'] } }, state }, services);
  assert.equal(result.status, 'failed');
  if (result.status === 'failed') assert.equal(result.error.code, 'JOB_TIMEOUT');
  assert.deepEqual(actions, ['status', 'cancel']);
});

test('cancel asks the job service to cancel the job the state names, and fails when it cannot', async () => {
  const calls: unknown[] = [];
  let down = false;
  const services: HostServices = {
    async agentExecute(args) {
      calls.push(args);
      if (down) throw Object.assign(new Error('job service unavailable'), { code: 'HOST_SERVICE_FAILED' });
      return { ok: true };
    },
  };
  const state = { jobId: 'job-11', polls: 2, deadline: Date.now() + 60_000, errors: 0, tolerate: 0, maxDelayMs: 10000, logFailedHosts: 3 };
  const inputs = { script: 'sleep 1000', targets: { ips: ['10.0.0.9'] } };
  const done = await invoke({ call: 'cancel', inputs, state }, services);
  assert.deepEqual([done.status, done.logs.map((l) => l.message)], ['done', ['cancelled job job-11']]);
  assert.deepEqual(calls, [{ action: 'cancel', jobId: 'job-11' }]);
  down = true;
  const failed = await invoke({ call: 'cancel', inputs, state }, services);
  assert.equal(failed.status === 'failed' && failed.error.code, 'HOST_SERVICE_FAILED');
});
