import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseHostList } from './host-list.js';
import { agentStartCommand, jobOperations, LogFollower, matchingLines, orderGroups, unsuccessfulHosts } from './job-types.js';

const enabled = (list: { op: string; enabled: boolean }[]) => list.filter((o) => o.enabled).map((o) => o.op);

test('job operations follow the job status and explain refusals', () => {
  const running = jobOperations({ status: 'running', finished: false, counts: { running: 2 } });
  assert.deepEqual(enabled(running), ['terminate']);
  assert.match(running.find((o) => o.op === 'retry-failed')!.reason!, /still running/);
  assert.deepEqual(enabled(jobOperations({ status: 'failed', finished: true, counts: { failed: 1, success: 2 } })), ['retry-failed', 'retry-all']);
  const ok = jobOperations({ status: 'success', finished: true, counts: { success: 3 } });
  assert.equal(ok.find((o) => o.op === 'retry-failed')!.reason, 'no host failed');
  assert.match(ok.find((o) => o.op === 'terminate')!.reason!, /ended/);
  assert.deepEqual(enabled(jobOperations({ status: 'paused', finished: false, counts: { failed: 1 } })), ['retry-failed', 'retry-all', 'terminate', 'confirm']);
});

test('groups put problems first, then the biggest', () => {
  const g = orderGroups([{ status: 'success', tag: null, count: 9 }, { status: 'failed', tag: 'disk', count: 1 }, { status: 'failed', tag: 'net', count: 4 }, { status: 'running', tag: null, count: 2 }]);
  assert.deepEqual(g.map((x) => `${x.status}/${x.tag}`), ['failed/net', 'failed/disk', 'running/null', 'success/null']);
});

test('a log followed by byte offset keeps a character split between pages whole', () => {
  const bytes = new TextEncoder().encode('héllo ✓ done\n');
  const b64 = (u: Uint8Array) => Buffer.from(u).toString('base64');
  const f = new LogFollower();
  const cut = 2; // inside the two bytes of é
  assert.equal(f.add({ runId: 'r', offset: 0, nextOffset: cut, storedBytes: cut, complete: false, encoding: 'base64', data: b64(bytes.slice(0, cut)) }), true);
  assert.equal(f.text, 'h');
  assert.equal(f.add({ runId: 'r', offset: 0, nextOffset: 1, storedBytes: 1, complete: false, encoding: 'base64', data: '' }), false, 'a stale page is ignored');
  f.add({ runId: 'r', offset: cut, nextOffset: bytes.length, storedBytes: bytes.length, complete: true, encoding: 'base64', data: b64(bytes.slice(cut)) });
  assert.equal(f.text, 'héllo ✓ done\n');
  assert.equal(f.complete, true);
  assert.deepEqual(matchingLines('a\nERROR x\nb error\n', 'error'), [{ line: 2, text: 'ERROR x' }, { line: 3, text: 'b error' }]);
  assert.deepEqual(matchingLines('abc', '  '), []);
});

test('host lists and the agent command', () => {
  assert.deepEqual(parseHostList('10.0.0.1, 2:10.0.0.1\n10.0.0.1 ::1 nope 300.1.1.1'), {
    hosts: [{ cloudArea: 0, ip: '10.0.0.1' }, { cloudArea: 2, ip: '10.0.0.1' }, { cloudArea: 0, ip: '::1' }],
    errors: ['"nope" is not an IP address', '"300.1.1.1" is not an IP address'],
  });
  assert.equal(agentStartCommand('https://ops.example/', 'T0K', 3), 'opsloom-agent --server wss://ops.example/agent/v1 --enrol-token T0K --cloud-area 3 --state-dir /var/lib/opsloom-agent');
});

test('hosts that did not succeed: failed, timed out, agent offline and cancelled, not waiting, running or refused', () => {
  assert.equal(unsuccessfulHosts({ success: 8, failed: 1, timeout: 1, agent_offline: 2, cancelled: 1, running: 3, waiting: 4, not_allowed: 5 }), 5);
  assert.equal(unsuccessfulHosts({}), 0);
});
