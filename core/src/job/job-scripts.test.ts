import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { TestServer } from '../test-support/test-server.js';
import type { JobView } from './api-types.js';
import { AgentPool, projectWithToken, startJobServer, userClient, waitForJob } from './test-support/job-test-kit.js';

interface Version { id: string; version: string; status: string; content: string }
interface ScriptBody { id: string; name: string; versions: Version[]; onlineVersionId?: string | null }

/** The script library: versions and their statuses, running by script or version, references, public scripts. */
describe('script library', () => {
  let s: TestServer;
  const pool = new AgentPool();
  let projectId: string;
  let hostId: string;
  let base: string;
  const run = (ref: Record<string, unknown>) => s.admin.call<JobView & { code: string; detail: string }>('POST', `/api/v1/projects/${projectId}/jobs/script`, { hostIds: [hostId], ...ref });

  before(async () => {
    s = await startJobServer();
    const p = await projectWithToken(s.admin, 'scripts');
    projectId = p.projectId;
    base = `/api/v1/projects/${projectId}/scripts`;
    ({ hostId } = await pool.start(s, p.token, projectId, { ip: '10.7.0.1' }));
  });
  after(async () => {
    await pool.stopAll();
    await s.close();
  });

  test('versions move draft → online → offline; only one is online; only drafts are edited', async () => {
    const created = await s.admin.call<ScriptBody>('POST', base, { name: 'greet', language: 'bash', content: 'job_success "v1"', version: 'v1' });
    assert.equal(created.status, 201);
    const id = created.body.id;
    const v1 = created.body.versions[0]!;
    assert.equal(v1.status, 'draft');
    assert.equal((await s.admin.call('POST', base, { name: 'greet', language: 'bash', content: 'x' })).status, 409);

    // A draft cannot run, by script (no online version) or by version.
    assert.equal((await run({ scriptId: id })).body.code, 'script_not_online');
    assert.equal((await run({ scriptVersionId: v1.id })).body.code, 'script_version_draft');

    const edited = await s.admin.call<Version>('PATCH', `${base}/${id}/versions/${v1.id}`, { content: 'job_success "v1!"' });
    assert.equal(edited.body.content, 'job_success "v1!"');
    assert.equal((await s.admin.call<Version>('POST', `${base}/${id}/versions/${v1.id}/publish`)).body.status, 'online');
    assert.equal((await s.admin.call<{ code: string }>('PATCH', `${base}/${id}/versions/${v1.id}`, { content: 'changed' })).body.code, 'script_version_not_draft');

    const v2 = await s.admin.call<Version>('POST', `${base}/${id}/versions`, { version: 'v2', content: 'job_success "v2"' });
    assert.equal(v2.status, 201);
    await s.admin.call('POST', `${base}/${id}/versions/${v2.body.id}/publish`);
    const detail = await s.admin.call<ScriptBody>('GET', `${base}/${id}`);
    assert.deepEqual(Object.fromEntries(detail.body.versions.map((v) => [v.version, v.status])), { v1: 'offline', v2: 'online' });
    const list = await s.admin.call<{ items: ScriptBody[] }>('GET', base);
    assert.equal(list.body.items[0]!.onlineVersionId, v2.body.id);

    // By script id: the online version; by version id: that version, even offline.
    const byScript = await run({ scriptId: id });
    assert.equal(byScript.status, 201);
    assert.deepEqual((await waitForJob(s.admin, projectId, byScript.body.id)).groups, [{ status: 'success', tag: 'v2', count: 1 }]);
    const byVersion = await run({ scriptVersionId: v1.id });
    assert.deepEqual((await waitForJob(s.admin, projectId, byVersion.body.id)).groups, [{ status: 'success', tag: 'v1!', count: 1 }]);

    // Disabled blocks every run that references it.
    assert.equal((await s.admin.call<Version>('POST', `${base}/${id}/versions/${v1.id}/disable`)).body.status, 'disabled');
    const blocked = await run({ scriptVersionId: v1.id });
    assert.equal(blocked.status, 409);
    assert.equal(blocked.body.code, 'script_disabled');
    assert.equal((await s.admin.call<{ code: string }>('POST', `${base}/${id}/versions/${v1.id}/publish`)).body.code, 'script_version_disabled');

    // Who references the script.
    const refs = await s.admin.call<{ total: number; items: { jobId: string; versionId: string }[] }>('GET', `${base}/${id}/references`);
    assert.equal(refs.body.total, 2);
    assert.deepEqual(new Set(refs.body.items.map((r) => r.jobId)), new Set([byScript.body.id, byVersion.body.id]));

    assert.equal((await s.admin.call<{ code: string }>('DELETE', `${base}/${id}`)).body.code, 'script_online');
    assert.equal((await s.admin.call<{ code: string }>('DELETE', `${base}/${id}/versions/${v2.body.id}`)).body.code, 'script_online');
  });

  test('library scripts pass the high-risk rules like any other run', async () => {
    const created = await s.admin.call<ScriptBody>('POST', base, { name: 'wipe', language: 'bash', content: 'mkfs.ext4 /dev/sdz9' });
    await s.admin.call('POST', `${base}/${created.body.id}/versions/${created.body.versions[0]!.id}/publish`);
    const res = await run({ scriptId: created.body.id });
    assert.equal(res.status, 422);
    assert.equal(res.body.code, 'dangerous_script');
  });

  test('public scripts are managed by administrators and runnable from every project', async () => {
    const pub = await s.admin.call<ScriptBody>('POST', '/api/v1/public-scripts', { name: 'uptime', language: 'sh', content: 'uptime >/dev/null && job_success "public"' });
    assert.equal(pub.status, 201);
    await s.admin.call('POST', `/api/v1/public-scripts/${pub.body.id}/versions/${pub.body.versions[0]!.id}/publish`);
    const res = await run({ scriptId: pub.body.id });
    assert.equal(res.status, 201);
    assert.deepEqual((await waitForJob(s.admin, projectId, res.body.id)).groups, [{ status: 'success', tag: 'public', count: 1 }]);

    const dev = await userClient(s, 'dana', { projectId, role: 'developer' });
    assert.equal((await dev.call('GET', '/api/v1/public-scripts')).status, 200);
    assert.equal((await dev.call('POST', '/api/v1/public-scripts', { name: 'mine', language: 'sh', content: 'true' })).status, 403);
    assert.equal((await dev.call('POST', base, { name: 'mine', language: 'sh', content: 'true' })).status, 201);
    const viewer = await userClient(s, 'vic', { projectId, role: 'viewer' });
    assert.equal((await viewer.call('POST', base, { name: 'nope', language: 'sh', content: 'true' })).status, 403);
    // A project's scripts are invisible from another project.
    const other = await projectWithToken(s.admin, 'other-scripts');
    assert.equal((await s.admin.call('GET', `/api/v1/projects/${other.projectId}/scripts/${pub.body.id}`)).status, 404);
  });
});
