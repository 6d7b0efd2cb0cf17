import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { TestServer } from '../test-support/test-server.js';
import type { JobView } from './api-types.js';
import { AgentPool, projectWithToken, startJobServer, userClient, waitForJob } from './test-support/job-test-kit.js';

interface Hit { id: number; ruleId: string; action: string; username: string; projectId: string; origin: string; line: number; lineContent: string; script?: string; blocked: boolean; jobId: string | null }

/** High-risk command rules over the API: nothing dangerous is ever dispatched in these tests. */
describe('high-risk command rules', () => {
  let s: TestServer;
  const pool = new AgentPool();
  let projectId: string;
  let hostId: string;
  const run = (content: string, extra: Record<string, unknown> = {}) =>
    s.admin.call<JobView & { code: string; detail: string; hits: { ruleId: string; line: number }[] }>('POST', `/api/v1/projects/${projectId}/jobs/script`, { hostIds: [hostId], content, language: 'bash', ...extra });

  before(async () => {
    s = await startJobServer();
    const p = await projectWithToken(s.admin, 'rules');
    projectId = p.projectId;
    ({ hostId } = await pool.start(s, p.token, projectId, { ip: '10.8.0.1' }));
  });
  after(async () => {
    await pool.stopAll();
    await s.close();
  });

  test('a sensible default rule set is seeded', async () => {
    const r = await s.admin.call<{ items: { description: string; action: string; enabled: boolean; position: number }[] }>('GET', '/api/v1/danger-rules');
    assert.ok(r.body.items.length >= 10);
    for (const word of ['rm of the root', 'mkfs', 'dd writing', 'fork bomb', 'chmod 777']) assert.ok(r.body.items.some((i) => i.description.includes(word)), word);
    assert.deepEqual(r.body.items.map((i) => i.position), [...r.body.items.keys()].map((i) => i + 1));
  });

  test('an intercept rule refuses the run before dispatch and the hit is recorded', async () => {
    const res = await run('echo cleaning up\n# rm -rf / in a comment is fine\nrm -rf /\n');
    assert.equal(res.status, 422);
    assert.equal(res.body.code, 'dangerous_script');
    assert.match(res.body.detail, /line 3/);
    assert.equal(res.body.hits[0]!.line, 3);
    const jobs = await s.admin.call<{ items: unknown[] }>('GET', `/api/v1/projects/${projectId}/jobs`);
    assert.equal(jobs.body.items.length, 0, 'nothing was created or dispatched');
    const hits = await s.admin.call<{ items: Hit[] }>('GET', `/api/v1/projects/${projectId}/danger-hits`);
    assert.equal(hits.body.items.length, 1, 'the comment line was not counted');
    const [hit] = hits.body.items;
    assert.equal(hit!.username, 'admin');
    assert.equal(hit!.origin, 'api');
    assert.equal(hit!.projectId, projectId);
    assert.equal(hit!.line, 3);
    assert.equal(hit!.lineContent, 'rm -rf /');
    assert.equal(hit!.blocked, true);
    assert.equal(hit!.script, undefined, 'lists leave the screened script out');
    const one = await s.admin.call<Hit>('GET', `/api/v1/projects/${projectId}/danger-hits/${hit!.id}`);
    assert.equal(one.status, 200);
    assert.equal(one.body.script, 'echo cleaning up\n# rm -rf / in a comment is fine\nrm -rf /\n');
    assert.equal(one.body.lineContent, 'rm -rf /');
    const all = await s.admin.call<{ items: Hit[] }>('GET', '/api/v1/danger-hits');
    assert.ok(all.body.items.some((h) => h.ruleId === hit!.ruleId && h.script === undefined));
    assert.match((await s.admin.call<Hit>('GET', `/api/v1/danger-hits/${hit!.id}`)).body.script!, /cleaning up/);
  });

  test('a hit is read only within its own project, and by id only when it exists', async () => {
    await run('rm -rf /');
    const [hit] = (await s.admin.call<{ items: Hit[] }>('GET', `/api/v1/projects/${projectId}/danger-hits`)).body.items;
    const other = await projectWithToken(s.admin, 'rules-other');
    const elsewhere = await s.admin.call<{ code: string }>('GET', `/api/v1/projects/${other.projectId}/danger-hits/${hit!.id}`);
    assert.equal(elsewhere.status, 404, 'another project does not see it');
    assert.equal((await s.admin.call('GET', `/api/v1/danger-hits/${hit!.id + 1000}`)).status, 404);
    assert.equal((await s.admin.call('GET', '/api/v1/danger-hits/not-a-number')).status, 400);
    const stranger = await userClient(s, 'hits-stranger');
    assert.equal((await stranger.call('GET', `/api/v1/projects/${projectId}/danger-hits/${hit!.id}`)).status, 404, 'to a non-member the project does not exist');
    const viewer = await userClient(s, 'hits-viewer', { projectId, role: 'viewer' });
    assert.match((await viewer.call<Hit>('GET', `/api/v1/projects/${projectId}/danger-hits/${hit!.id}`)).body.script!, /rm -rf/);
    assert.equal((await viewer.call('GET', `/api/v1/danger-hits/${hit!.id}`)).status, 403, 'every project\'s hits are for administrators');
  });

  test('a scan rule records the hit and lets the script run', async () => {
    const rule = await s.admin.call<{ id: string }>('POST', '/api/v1/danger-rules', { expression: '\\bnoisy-command\\b', languages: ['bash'], description: 'noisy', action: 'scan' });
    assert.equal(rule.status, 201);
    const res = await run('echo noisy-command');
    assert.equal(res.status, 201);
    const job = await waitForJob(s.admin, projectId, res.body.id);
    assert.equal(job.status, 'success');
    const hits = await s.admin.call<{ items: Hit[] }>('GET', `/api/v1/projects/${projectId}/danger-hits`);
    const hit = hits.body.items.find((h) => h.ruleId === rule.body.id)!;
    assert.equal(hit.blocked, false);
    assert.equal(hit.jobId, job.id);
  });

  test('a long script matching on many lines is refused with 422, every hit is recorded, and the script is stored once', async () => {
    const rule = await s.admin.call<{ id: string }>('POST', '/api/v1/danger-rules', { expression: 'many-hit-marker', languages: ['bash'], description: 'many', action: 'intercept' });
    // Twenty hits of a 1 MB script: copied into each hit, more than one 16 MiB MySQL packet together.
    const script = `# ${'x'.repeat(1024 * 1024)}\n${'echo many-hit-marker\n'.repeat(20)}`;
    const res = await run(script);
    assert.equal(res.status, 422, JSON.stringify(res.body).slice(0, 500));
    assert.equal(res.body.code, 'dangerous_script');
    const hits = (await s.admin.call<{ items: Hit[] }>('GET', `/api/v1/projects/${projectId}/danger-hits?limit=500`)).body.items.filter((h) => h.ruleId === rule.body.id);
    assert.deepEqual(hits.map((h) => h.line).sort((a, b) => a - b), Array.from({ length: 20 }, (_, i) => i + 2));
    const one = await s.admin.call<Hit>('GET', `/api/v1/projects/${projectId}/danger-hits/${hits[0]!.id}`);
    assert.equal(one.body.script, script);
    const stored = await s.ops.db('job_danger_hits').whereIn('id', hits.map((h) => h.id)).distinct('script_id') as { script_id: number }[];
    assert.equal(stored.length, 1, 'the twenty hits share one stored script');
    assert.equal((await s.ops.db('job_danger_scripts').where({ id: stored[0]!.script_id }).first() as { script: string }).script, script);
    assert.equal((await s.admin.call('DELETE', `/api/v1/danger-rules/${rule.body.id}`)).status, 204);
  });

  test('a script matching on every line records a bounded number of hits, intercepting ones first', async () => {
    const scan = await s.admin.call<{ id: string }>('POST', '/api/v1/danger-rules', { expression: 'every-line-marker', languages: ['bash'], description: 'noted', action: 'scan' });
    const stop = await s.admin.call<{ id: string }>('POST', '/api/v1/danger-rules', { expression: 'stop-marker', languages: ['bash'], description: 'stop', action: 'intercept' });
    // 3,000 scan hits, then one intercept on the last line: each hit would keep the whole script.
    const script = `${'echo every-line-marker\n'.repeat(3000)}echo stop-marker\n`;
    const res = await run(script);
    assert.equal(res.status, 422);
    assert.equal((res.body as { hits: unknown[] }).hits.length, 1);
    const mine = (await s.admin.call<{ items: Hit[] }>('GET', `/api/v1/projects/${projectId}/danger-hits?limit=500`)).body.items
      .filter((h) => h.ruleId === scan.body.id || h.ruleId === stop.body.id);
    assert.equal(mine.length, 100);
    assert.ok(mine.some((h) => h.ruleId === stop.body.id && h.line === 3001), 'the hit that refused the run is among them');
    for (const id of [scan.body.id, stop.body.id]) assert.equal((await s.admin.call('DELETE', `/api/v1/danger-rules/${id}`)).status, 204);
  });

  test('rules are per language, can be disabled, and only administrators change them', async () => {
    const rule = await s.admin.call<{ id: string }>('POST', '/api/v1/danger-rules', { expression: 'forbidden-word', languages: ['bash'], description: 'forbidden', action: 'intercept' });
    assert.equal((await run('echo forbidden-word')).status, 422);
    assert.equal((await run('print("forbidden-word")', { language: 'python3' })).status, 201, 'the rule is for bash only');
    const off = await s.admin.call<{ enabled: boolean }>('PATCH', `/api/v1/danger-rules/${rule.body.id}`, { enabled: false });
    assert.equal(off.body.enabled, false);
    const res = await run('echo forbidden-word');
    assert.equal(res.status, 201);
    await waitForJob(s.admin, projectId, res.body.id);

    const olive = await userClient(s, 'olive', { projectId, role: 'admin' });
    const denied = await olive.call('POST', '/api/v1/danger-rules', { expression: 'x', languages: ['bash'], description: 'x', action: 'scan' });
    assert.equal(denied.status, 403);
    assert.equal((await olive.call('GET', '/api/v1/danger-rules')).status, 200);
  });

  test('invalid and catastrophically backtracking expressions are refused when saved', async () => {
    const bad = await s.admin.call<{ code: string; detail: string }>('POST', '/api/v1/danger-rules', { expression: 'rm (-rf', languages: ['bash'], description: 'broken', action: 'intercept' });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.code, 'invalid_rule');
    const redos = await s.admin.call<{ code: string; detail: string }>('POST', '/api/v1/danger-rules', { expression: '^(a+)+$', languages: ['bash'], description: 'redos', action: 'scan' });
    assert.equal(redos.status, 400);
    assert.match(redos.body.detail, /backtracks/);
  });

  test('a rule that hangs at run time refuses the run (fail closed) without freezing core', async () => {
    // A rule from before validation existed, written straight into the table.
    const now = Date.now();
    await s.ops.db('job_danger_rules').insert({ id: 'legacy-hang', expression: '^(\\w+\\s?)+$', languages: 'bash', description: 'legacy', action: 'scan', enabled: true, position: 999, created_at: now, updated_at: now });
    try {
      const started = run(`echo ${'word '.repeat(12)}word!`);
      // Core answers other requests meanwhile: the rule runs in a worker.
      assert.equal((await s.admin.call('GET', '/api/v1/danger-rules')).status, 200);
      const res = await started;
      assert.equal(res.status, 422);
      assert.equal(res.body.code, 'danger_check_failed');
      assert.match(res.body.detail, /legacy-hang/);
    } finally {
      await s.ops.db('job_danger_rules').where({ id: 'legacy-hang' }).delete();
    }
    assert.equal((await run('echo fine again')).status, 201);
  });

  test('a high-risk command hidden behind a comment marker is still caught', async () => {
    const check = async (language: string, content: string) => (await s.admin.call<{ items: { line: number; action: string }[] }>('POST', '/api/v1/danger-rules/check', { language, content })).body.items.map((i) => [i.line, i.action]);
    assert.deepEqual(await check('bash', 'echo a\\\n#;rm -rf /'), [[2, 'intercept']]);
    assert.deepEqual(await check('python3', "# note\rimport shutil; shutil.rmtree('/')"), [[1, 'intercept']]);
    assert.deepEqual(await check('powershell', '<# maintenance #> Format-Volume -DriveLetter D'), [[1, 'intercept']]);
  });

  test('the check endpoint reports matches without recording them', async () => {
    const before = (await s.admin.call<{ items: Hit[] }>('GET', '/api/v1/danger-hits')).body.items.length;
    const r = await s.admin.call<{ items: { line: number; action: string }[] }>('POST', '/api/v1/danger-rules/check', { language: 'bash', content: 'ls\nmkfs.xfs /dev/vdb' });
    assert.equal(r.status, 200);
    assert.deepEqual(r.body.items.map((i) => [i.line, i.action]), [[2, 'intercept']]);
    assert.equal((await s.admin.call<{ items: Hit[] }>('GET', '/api/v1/danger-hits')).body.items.length, before);
  });
});
