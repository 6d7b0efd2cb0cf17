import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { TestServer } from '../test-support/test-server.js';
import type { JobView } from './api-types.js';
import { JobStore } from './execution/job-store.js';
import { AgentPool, hostResults, projectWithToken, readWholeLog, startJobServer, waitForJob } from './test-support/job-test-kit.js';

/** Fast script execution as a user meets it: real agents over WebSocket, the REST API, logs and results. */
describe('fast script execution with real agents', () => {
  let s: TestServer;
  const pool = new AgentPool();
  let projectId: string;
  let token: string;
  const hostIds: string[] = [];

  before(async () => {
    s = await startJobServer({ maxTimeoutSeconds: 3600 });
    const p = await projectWithToken(s.admin, 'exec');
    projectId = p.projectId;
    token = p.token;
    for (const ip of ['10.9.0.1', '10.9.0.2', '10.9.0.3']) hostIds.push((await pool.start(s, p.token, projectId, { ip })).hostId);
  });
  after(async () => {
    await pool.stopAll();
    await s.close();
  });

  test('hosts are listed with their facts and online state', async () => {
    const r = await s.admin.call<{ total: number; items: { id: string; ip: string; online: boolean; lastSeenAt: string; facts: { languages: string[] } }[] }>('GET', `/api/v1/projects/${projectId}/hosts`);
    assert.equal(r.status, 200);
    assert.equal(r.body.total, 3);
    assert.ok(r.body.items.every((h) => h.online && h.lastSeenAt && h.facts.languages.includes('bash')));
    const filtered = await s.admin.call<{ total: number }>('GET', `/api/v1/projects/${projectId}/hosts?search=10.9.0.2`);
    assert.equal(filtered.body.total, 1);
  });

  test('a script runs on every host; results are grouped by status and tag; logs read back', async () => {
    const script = 'echo "hello from $(hostname)"\nif [ "$1" = "fail-me" ]; then job_fail "bad"; fi\njob_success "fine"';
    const res = await s.admin.call<JobView>('POST', `/api/v1/projects/${projectId}/jobs/script`, { hostIds, content: script, language: 'bash', params: 'ok' });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal(res.body.hostCount, 3);
    const job = await waitForJob(s.admin, projectId, res.body.id);
    assert.equal(job.status, 'success');
    assert.deepEqual(job.groups, [{ status: 'success', tag: 'fine', count: 3 }]);
    const hosts = await hostResults(s.admin, projectId, job.id);
    assert.equal(hosts.length, 3);
    for (const h of hosts) {
      assert.equal(h.exitCode, 0);
      const log = await readWholeLog(s.admin, projectId, job.id, h.runId);
      assert.match(log.toString('utf8'), /^hello from /);
    }
    const text = await s.admin.call<{ data: string; encoding: string; complete: boolean }>('GET', `/api/v1/projects/${projectId}/jobs/${job.id}/runs/${hosts[0]!.runId}/log?encoding=text`);
    assert.equal(text.body.encoding, 'text');
    assert.match(text.body.data, /hello from/);
    assert.equal(text.body.complete, true);
  });

  test('failures and tags are grouped; the job fails when one host fails', async () => {
    const script = 'echo checking\n[ "$1" = "x" ] && job_fail "param x"\njob_success "ok"';
    const res = await s.admin.call<JobView>('POST', `/api/v1/projects/${projectId}/jobs/script`, { hostIds: hostIds.slice(0, 2), content: script, language: 'bash', params: 'x' });
    const job = await waitForJob(s.admin, projectId, res.body.id);
    assert.equal(job.status, 'failed');
    assert.deepEqual(job.groups, [{ status: 'failed', tag: 'param x', count: 2 }]);
    const failed = await hostResults(s.admin, projectId, job.id, '?status=failed&tag=param%20x');
    assert.equal(failed.length, 2);
    assert.ok(failed.every((h) => h.exitCode === 1));
  });

  test('non-UTF-8 bytes and multibyte characters survive byte for byte, also when paged', async () => {
    // Latin-1 "é" (0xE9), an invalid byte 0xFF, and a 4-byte emoji, several times over.
    const script = 'for i in 1 2 3 4 5 6 7 8; do printf "caf\\351 \\377 \\360\\237\\230\\200 line $i\\n"; done';
    const res = await s.admin.call<JobView>('POST', `/api/v1/projects/${projectId}/jobs/script`, { hostIds: [hostIds[0]], content: script, language: 'bash' });
    const job = await waitForJob(s.admin, projectId, res.body.id);
    assert.equal(job.status, 'success');
    const [h] = await hostResults(s.admin, projectId, job.id);
    const expected = Buffer.concat([1, 2, 3, 4, 5, 6, 7, 8].map((i) => Buffer.concat([
      Buffer.from('caf'), Buffer.from([0xe9, 0x20, 0xff, 0x20, 0xf0, 0x9f, 0x98, 0x80]), Buffer.from(` line ${i}\n`),
    ])));
    assert.deepEqual(await readWholeLog(s.admin, projectId, job.id, h!.runId), expected);
    // Pages of 7 bytes cut through the emoji: joined again they are the same bytes.
    assert.deepEqual(await readWholeLog(s.admin, projectId, job.id, h!.runId, 7), expected);
    const text = await s.admin.call<{ data: string }>('GET', `/api/v1/projects/${projectId}/jobs/${job.id}/runs/${h!.runId}/log?encoding=text`);
    assert.ok(text.body.data.includes('caf\uFFFD \uFFFD \u{1F600} line 1'));
  });

  test('logs are searchable across hosts by keyword, a bounded page at a time', async () => {
    const res = await s.admin.call<JobView>('POST', `/api/v1/projects/${projectId}/jobs/script`, {
      hostIds, content: 'echo first\necho "needle-$OPSLOOM_RUN_ID"\necho last', language: 'bash',
    });
    const job = await waitForJob(s.admin, projectId, res.body.id);
    const found = await s.admin.call<{ items: { runId: string; lines: { text: string }[] }[] }>('GET', `/api/v1/projects/${projectId}/jobs/${job.id}/log-search?keyword=needle-`);
    assert.equal(found.body.items.length, 3);
    for (const item of found.body.items) assert.deepEqual(item.lines.map((l) => l.text), [`needle-${item.runId}`]);
    assert.equal((found.body as { next?: string | null }).next, null, 'a small job is searched in one request');
    const none = await s.admin.call<{ items: unknown[] }>('GET', `/api/v1/projects/${projectId}/jobs/${job.id}/log-search?keyword=absent-word`);
    assert.deepEqual(none.body.items, []);

    // A request reads about maxBytes of log: with one byte, one host per page, and the pages together find every host.
    const pages: { items: { runId: string }[]; scannedBytes: number; next: string | null }[] = [];
    let after = '';
    do {
      const page = await s.admin.call<(typeof pages)[number]>('GET', `/api/v1/projects/${projectId}/jobs/${job.id}/log-search?keyword=needle-&maxBytes=1${after ? `&after=${after}` : ''}`);
      assert.equal(page.status, 200, JSON.stringify(page.body));
      pages.push(page.body);
      after = page.body.next ?? '';
    } while (after && pages.length < 10);
    assert.deepEqual(pages.map((p) => p.items.length), [1, 1, 1]);
    assert.deepEqual(pages.map((p) => p.next === null), [false, false, true]);
    assert.ok(pages.every((p) => p.scannedBytes > 0 && p.scannedBytes < 100), 'each page read one host\'s log');
    assert.deepEqual(pages.flatMap((p) => p.items.map((i) => i.runId)).sort(), found.body.items.map((i) => i.runId).sort());
    const tooMuch = await s.admin.call('GET', `/api/v1/projects/${projectId}/jobs/${job.id}/log-search?keyword=needle-&maxBytes=${64 * 1024 * 1024}`);
    assert.equal(tooMuch.status, 400, 'a request cannot ask to read more than the bound');
  });

  test('a log the agent cut at its size limit is marked truncated, on the host and on the log page', async () => {
    const { hostId } = await pool.start(s, token, projectId, { ip: '10.9.0.9', maxLogBytes: 100 });
    const res = await s.admin.call<JobView>('POST', `/api/v1/projects/${projectId}/jobs/script`, { hostIds: [hostId, hostIds[0]], content: 'for i in $(seq 1 50); do echo "line $i of the output"; done', language: 'bash' });
    const job = await waitForJob(s.admin, projectId, res.body.id);
    assert.equal(job.status, 'success');
    const hosts = await hostResults(s.admin, projectId, job.id);
    const cut = hosts.find((h) => h.ip === '10.9.0.9')!;
    const whole = hosts.find((h) => h.ip !== '10.9.0.9')!;
    assert.deepEqual([cut.logTruncated, whole.logTruncated], [true, false]);
    const page = async (runId: string) => (await s.admin.call<{ data: string; complete: boolean; truncated: boolean }>('GET', `/api/v1/projects/${projectId}/jobs/${job.id}/runs/${runId}/log?encoding=text`)).body;
    const cutPage = await page(cut.runId);
    assert.equal(Buffer.byteLength(cutPage.data), 100, 'the agent kept its limit');
    assert.deepEqual([cutPage.complete, cutPage.truncated], [true, true], 'nothing more will come, and what came is not all');
    const wholePage = await page(whole.runId);
    assert.match(wholePage.data, /line 50 of the output\n$/);
    assert.deepEqual([wholePage.complete, wholePage.truncated], [true, false]);
  });

  test('sensitive parameters reach the script but are shown as ****** and stored encrypted', async () => {
    const res = await s.admin.call<JobView>('POST', `/api/v1/projects/${projectId}/jobs/script`, {
      hostIds: [hostIds[0]], content: '[ "$1" = "s3cr3t-value" ] && job_success "got it"', language: 'bash', params: 's3cr3t-value', paramsSensitive: true,
    });
    assert.equal(res.body.params, '******');
    const job = await waitForJob(s.admin, projectId, res.body.id);
    assert.equal(job.status, 'success');
    assert.equal(job.params, '******');
    assert.deepEqual(job.groups, [{ status: 'success', tag: 'got it', count: 1 }]);
    const list = await s.admin.call<{ items: JobView[] }>('GET', `/api/v1/projects/${projectId}/jobs`);
    const listed = list.body.items.find((j) => j.id === job.id)!;
    assert.equal(listed.params, '******');
    assert.deepEqual([listed.counts, listed.groups], [{ success: 1 }, [{ status: 'success', tag: 'got it', count: 1 }]], 'the list counts each job\'s hosts too');
    const row = await s.ops.db('job_instances').where({ id: job.id }).first() as { params_plain: string | null; params_cipher: string };
    assert.equal(row.params_plain, null);
    assert.ok(!row.params_cipher.includes('s3cr3t'));
    const audit = await s.admin.call('GET', `/api/v1/audit?action=job.script.execute`);
    assert.ok(!JSON.stringify(audit.body).includes('s3cr3t-value'));
  });

  test('parameters of the longest length accepted are stored whole, plain and sensitive', async () => {
    // 64 Ki characters: one byte more than a 64 KiB column holds.
    const params = 'x'.repeat(64 * 1024);
    for (const paramsSensitive of [false, true]) {
      const res = await s.admin.call<JobView>('POST', `/api/v1/projects/${projectId}/jobs/script`, { hostIds: [hostIds[0]], content: '[ "${#1}" -eq 65536 ] && job_success long', language: 'bash', params, paramsSensitive });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      assert.equal(res.body.params, paramsSensitive ? '******' : params);
      const job = await waitForJob(s.admin, projectId, res.body.id);
      assert.deepEqual(job.groups, [{ status: 'success', tag: 'long', count: 1 }]);
    }
  });

  test('a timeout kills the script and the host ends as timeout', async () => {
    const res = await s.admin.call<JobView>('POST', `/api/v1/projects/${projectId}/jobs/script`, { hostIds: [hostIds[1]], content: 'echo start; sleep 30', language: 'bash', timeoutSeconds: 1 });
    const job = await waitForJob(s.admin, projectId, res.body.id);
    assert.equal(job.status, 'failed');
    assert.deepEqual(Object.keys(job.counts), ['timeout']);
  });

  test('terminate cancels every running host at once', async () => {
    const res = await s.admin.call<JobView>('POST', `/api/v1/projects/${projectId}/jobs/script`, { hostIds, content: 'sleep 30', language: 'bash' });
    await waitForJob(s.admin, projectId, res.body.id, (j) => (j.counts.running ?? 0) === 3);
    const t = await s.admin.call<JobView>('POST', `/api/v1/projects/${projectId}/jobs/${res.body.id}/terminate`);
    assert.equal(t.status, 200);
    assert.equal(t.body.status, 'cancelled');
    assert.deepEqual(t.body.counts, { cancelled: 3 });
    const again = await s.admin.call<JobView>('POST', `/api/v1/projects/${projectId}/jobs/${res.body.id}/terminate`);
    assert.equal(again.status, 409);
  });

  test('terminate ends the job cancelled even when a progress check concludes at the same moment', async () => {
    const res = await s.admin.call<JobView>('POST', `/api/v1/projects/${projectId}/jobs/script`, { hostIds, content: 'sleep 30', language: 'bash' });
    await waitForJob(s.admin, projectId, res.body.id, (j) => (j.counts.running ?? 0) === 3);
    // The race, made certain: the moment terminate writes the runs' ending, another process's progress
    // check that has just seen every run ended concludes the job (its compare-and-set from `running`).
    const rival = new JobStore(s.ops.db);
    let concluded: Promise<boolean> | null = null;
    const onResponse = (_r: unknown, q: { sql: string; bindings?: unknown[] }) => {
      if (concluded || !/^update .job_host_runs. set/i.test(q.sql) || !q.bindings?.includes('TERMINATED')) return;
      concluded = rival.setStatus(res.body.id, ['running'], 'failed', Date.now());
    };
    s.ops.db.on('query-response', onResponse);
    try {
      const t = await s.admin.call<JobView>('POST', `/api/v1/projects/${projectId}/jobs/${res.body.id}/terminate`);
      assert.equal(t.status, 200);
      assert.ok(concluded, 'the rival check ran inside the termination');
      assert.equal(await concluded, false, 'the rival check found the job cancelled already');
      assert.equal(t.body.status, 'cancelled');
    } finally {
      s.ops.db.off('query-response', onResponse);
    }
    const job = await waitForJob(s.admin, projectId, res.body.id);
    assert.equal(job.status, 'cancelled');
    assert.deepEqual(job.counts, { cancelled: 3 });
  });

  test('retry runs only the failed hosts again, as a new attempt', async () => {
    // The first host to get here fails; every later run (other hosts, and the retry) succeeds.
    const script = 'mark="${TMPDIR:-/tmp}/opsloom-retry-$OPSLOOM_JOB_ID"\nif mkdir "$mark" 2>/dev/null; then job_fail "first"; fi\njob_success "later"';
    const res = await s.admin.call<JobView>('POST', `/api/v1/projects/${projectId}/jobs/script`, { hostIds, content: script, language: 'bash' });
    const first = await waitForJob(s.admin, projectId, res.body.id);
    assert.equal(first.status, 'failed');
    assert.deepEqual(first.counts, { failed: 1, success: 2 });
    const retry = await s.admin.call<JobView>('POST', `/api/v1/projects/${projectId}/jobs/${first.id}/retry`, { scope: 'failed' });
    assert.equal(retry.status, 200, JSON.stringify(retry.body));
    const done = await waitForJob(s.admin, projectId, first.id);
    assert.equal(done.status, 'success');
    const hosts = await hostResults(s.admin, projectId, first.id);
    assert.deepEqual(hosts.map((h) => h.attempt).sort(), [1, 1, 2]);
    assert.deepEqual(done.groups, [{ status: 'success', tag: 'later', count: 3 }]);
    const none = await s.admin.call('POST', `/api/v1/projects/${projectId}/jobs/${first.id}/retry`, { scope: 'failed' });
    assert.equal(none.status, 409, 'nothing failed any more');
    rmSync(join(process.env.TMPDIR ?? '/tmp', `opsloom-retry-${first.id}`), { recursive: true, force: true });
  });

  test('retries sent at once run each failed host once more, not once per request', async () => {
    const tally = join(process.env.TMPDIR ?? '/tmp', `opsloom-retry-tally-${Date.now()}`);
    try {
      const res = await s.admin.call<JobView>('POST', `/api/v1/projects/${projectId}/jobs/script`, { hostIds, content: `echo run >> "${tally}"\nexit 3`, language: 'bash' });
      await waitForJob(s.admin, projectId, res.body.id);
      const answers = await Promise.all(Array.from({ length: 8 }, () => s.admin.call('POST', `/api/v1/projects/${projectId}/jobs/${res.body.id}/retry`, { scope: 'failed' })));
      assert.deepEqual(answers.map((a) => a.status).sort(), [200, 409, 409, 409, 409, 409, 409, 409]);
      const done = await waitForJob(s.admin, projectId, res.body.id);
      assert.deepEqual(done.counts, { failed: 3 });
      assert.deepEqual((await hostResults(s.admin, projectId, done.id)).map((h) => h.attempt), [2, 2, 2]);
      assert.equal(readFileSync(tally, 'utf8'), 'run\n'.repeat(6));
    } finally {
      rmSync(tally, { force: true });
    }
  });

  test('timeouts above the configured maximum, empty targets and too many targets are refused at the edge', async () => {
    const big = await s.admin.call<{ code: string }>('POST', `/api/v1/projects/${projectId}/jobs/script`, { hostIds, content: 'true', language: 'bash', timeoutSeconds: 7200 });
    assert.equal(big.status, 400);
    assert.match(JSON.stringify(big.body), /at most 3600/);
    const none = await s.admin.call<{ code: string; detail: string }>('POST', `/api/v1/projects/${projectId}/jobs/script`, { content: 'true', language: 'bash' });
    assert.equal(none.status, 400);
    assert.match(none.body.detail, /target/);
    // Each list alone is within the limit; together they are 60,000 targets.
    const ids = Array.from({ length: 30_000 }, (_, i) => `h${i}`);
    const pairs = Array.from({ length: 30_000 }, (_, i) => ({ cloudArea: 0, ip: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}` }));
    const both = await s.admin.call<{ detail: string }>('POST', `/api/v1/projects/${projectId}/jobs/script`, { hostIds: ids, hosts: pairs, content: 'true', language: 'bash' });
    assert.equal(both.status, 400);
    assert.match(both.body.detail, /at most 50000 targets .* hostIds and hosts together/);
  });
});
