import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PROTOCOL_VERSION, parseAgentMessage, parseServerMessage } from './index.js';

const facts = { hostname: 'web-1', os: { platform: 'linux', release: '6.1', arch: 'x64' }, ips: ['10.0.0.5'], cloudArea: 2, agentVersion: '0.1.0', languages: ['bash', 'python3'] };

test('every agent message type parses and keeps its fields', () => {
  const messages = [
    { type: 'enrol', protocolVersion: PROTOCOL_VERSION, enrolToken: 'tok', facts },
    { type: 'hello', protocolVersion: PROTOCOL_VERSION, agentId: 'agent-1', credential: 'c', facts, epoch: 'ab12', activeRuns: ['run-1'] },
    { type: 'heartbeat', sentAt: 1, running: 0, queued: 0 },
    { type: 'run-state', seq: 1, runId: 'run-1', state: 'running', at: 5 },
    { type: 'output', seq: 2, runId: 'run-1', offset: 0, data: Buffer.from([0xff, 0xe4]).toString('base64'), stream: 'stderr' },
    { type: 'result', seq: 3, runId: 'run-1', exitCode: 0, signal: null, tag: { kind: 'success', message: 'ok' }, startedAt: 5, endedAt: 9, timedOut: false, cancelled: false, logBytes: 2, logTruncated: false, failure: null },
    { type: 'error', code: 'PROTOCOL_BAD_FIELD', message: 'x' },
  ];
  for (const m of messages) {
    const r = parseAgentMessage(JSON.stringify(m));
    assert.ok(r.ok, `${m.type}: ${JSON.stringify(r)}`);
    assert.deepEqual(r.message, m);
  }
});

test('every server message type parses, from text, bytes or a value', () => {
  const messages = [
    { type: 'enrolled', agentId: 'agent-1', credential: 'secret' },
    { type: 'welcome', agentId: 'agent-1', protocolVersion: 1, heartbeatSeconds: 15, serverTime: 1 },
    { type: 'run', runId: 'r1', language: 'perl', script: 'print 1', params: '', env: { A: 'b' }, runAs: 'www-data', timeoutSeconds: 60 },
    { type: 'cancel', runId: 'r1' },
    { type: 'ack', seqs: [1, 2, 3] },
    { type: 'heartbeat-ack', serverTime: 3 },
    { type: 'error', code: 'CREDENTIAL_INVALID', message: 'no', fatal: true },
  ];
  for (const m of messages) {
    for (const raw of [JSON.stringify(m), Buffer.from(JSON.stringify(m)), m]) {
      const r = parseServerMessage(raw);
      assert.ok(r.ok, `${m.type}: ${JSON.stringify(r)}`);
      assert.deepEqual(r.message, m);
    }
  }
});

test('refusals name the offending field', () => {
  const run = { type: 'run', runId: 'r1', language: 'bash', script: 'x', params: '', env: {}, runAs: null, timeoutSeconds: 60 };
  const cases: [unknown, string, string][] = [
    ['{not json', 'PROTOCOL_BAD_JSON', '$'],
    ['[1]', 'PROTOCOL_BAD_FIELD', '$'],
    [{ type: 'explode' }, 'PROTOCOL_UNKNOWN_TYPE', '$.type'],
    [{ ...run, timeoutSeconds: 0 }, 'PROTOCOL_BAD_FIELD', 'run.timeoutSeconds'],
    [{ ...run, timeoutSeconds: 1.5 }, 'PROTOCOL_BAD_FIELD', 'run.timeoutSeconds'],
    [{ ...run, language: 'ruby' }, 'PROTOCOL_BAD_FIELD', 'run.language'],
    [{ ...run, env: { 'BAD-NAME': 'x' } }, 'PROTOCOL_BAD_FIELD', 'run.env.BAD-NAME'],
    [{ ...run, runAs: 'root; rm -rf /' }, 'PROTOCOL_BAD_FIELD', 'run.runAs'],
    [{ ...run, runId: '../etc' }, 'PROTOCOL_BAD_FIELD', 'run.runId'],
    [{ ...run, extra: 1 }, 'PROTOCOL_BAD_FIELD', 'run.extra'],
    [{ type: 'ack', seqs: [1, -2] }, 'PROTOCOL_BAD_FIELD', 'ack.seqs[1]'],
  ];
  for (const [raw, code, path] of cases) {
    const r = parseServerMessage(raw);
    assert.equal(r.ok, false, JSON.stringify(raw));
    if (!r.ok) {
      assert.equal(r.error.code, code, JSON.stringify(raw));
      assert.equal(r.error.path, path, JSON.stringify(raw));
      assert.match(r.error.message, new RegExp(path.replace(/[$.[\]]/g, '\\$&')));
    }
  }
  const badChunk = parseAgentMessage({ type: 'output', seq: 1, runId: 'r', offset: 0, data: 'not base64!', stream: 'stdout' });
  assert.equal(badChunk.ok, false);
  const badIp = parseAgentMessage({ type: 'enrol', protocolVersion: 1, enrolToken: 't', facts: { ...facts, ips: ['999.1.1.1'] } });
  assert.ok(!badIp.ok && badIp.error.path === 'enrol.facts.ips[0]');
  const badTimes = parseAgentMessage({ type: 'result', seq: 3, runId: 'r', exitCode: 0, signal: null, tag: null, startedAt: 9, endedAt: 5, timedOut: false, cancelled: false, logBytes: 0, logTruncated: false, failure: null });
  assert.ok(!badTimes.ok && badTimes.error.path === 'result.endedAt');
  const zeroSeq = parseAgentMessage({ type: 'run-state', seq: 0, runId: 'r', state: 'running', at: 1 });
  assert.ok(!zeroSeq.ok && zeroSeq.error.path === 'run-state.seq');
});
