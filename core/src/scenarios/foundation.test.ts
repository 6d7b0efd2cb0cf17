import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { apiClient, backend, startTestServer, TEST_ADMIN_PASSWORD, type TestServer } from '../test-support/test-server.js';

/** The foundation as a user meets it over HTTP: sign-in, projects, roles, tokens, audit, health. */
describe('foundation over the REST API', () => {
  let s: TestServer;
  before(async () => { s = await startTestServer(); });
  after(async () => { await s.close(); });

  test('health, readiness, metrics and the API document need no credentials', async () => {
    assert.equal((await s.anonymous.call('GET', '/healthz')).status, 200);
    const ready = await s.anonymous.call<{ checks: Record<string, string> }>('GET', '/readyz');
    assert.equal(ready.status, 200);
    assert.equal(ready.body.checks.database, 'ok');
    if (backend.redis) assert.equal(ready.body.checks.redis, 'ok');
    const metrics = await fetch(`${s.url}/metrics`);
    assert.equal(metrics.status, 200);
    assert.match(await metrics.text(), /opsloom_http_requests_total/);
    const doc = await s.anonymous.call<{ openapi: string; paths: Record<string, Record<string, { operationId: string; requestBody?: unknown }>> }>('GET', '/api/openapi.json');
    assert.equal(doc.body.openapi, '3.1.0');
    assert.equal(doc.body.paths['/api/v1/projects']!.post!.operationId, 'project.create');
    assert.ok(doc.body.paths['/api/v1/projects/{projectId}/members/{username}']!.put!.requestBody);
  });

  test('the portal is served at / with a strict content security policy', async () => {
    const res = await fetch(`${s.url}/`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type')!, /text\/html/);
    assert.match(res.headers.get('content-security-policy')!, /default-src 'self'/);
    assert.match(await res.text(), /<script[^>]+app\.js/);
    assert.equal((await fetch(`${s.url}/..%2F..%2Fpackage.json`)).status, 404);
  });

  test('a request without a token gets a 401 problem document', async () => {
    const res = await s.anonymous.call<Record<string, unknown>>('GET', '/api/v1/projects');
    assert.equal(res.status, 401);
    assert.match(res.headers.get('content-type')!, /^application\/problem\+json/);
    assert.equal(res.body.code, 'unauthenticated');
    assert.equal(res.body.status, 401);
    assert.equal(typeof res.body.detail, 'string');
    assert.ok(res.body.requestId);
    const bad = await s.anonymous.call<Record<string, unknown>>('GET', '/api/v1/projects', undefined, 'olt_not-a-real-token');
    assert.equal(bad.status, 401);
    assert.match(String(bad.body.detail), /unknown or revoked/);
  });

  test('wrong passwords are refused and audited; repeated failures are throttled', async () => {
    const wrong = await s.anonymous.call<Record<string, unknown>>('POST', '/api/v1/auth/login', { username: 'admin', password: 'nope-nope' });
    assert.equal(wrong.status, 401);
    const audit = await s.admin.call<{ items: { action: string; actorName: string }[] }>('GET', '/api/v1/audit?action=auth.login.failed');
    assert.ok(audit.body.items.some((i) => i.actorName === 'admin'));
    let last = 0;
    for (let i = 0; i < 7; i++) last = (await s.anonymous.call('POST', '/api/v1/auth/login', { username: 'ghost', password: 'wrong-password' })).status;
    assert.equal(last, 429);
  });

  test('invalid bodies are refused at the edge with the field named', async () => {
    const res = await s.admin.call<{ code: string; detail: string; errors: { path: string }[] }>('POST', '/api/v1/projects', { key: 'Bad Key!', name: '' });
    assert.equal(res.status, 400);
    assert.equal(res.body.code, 'invalid_request');
    assert.deepEqual(res.body.errors.map((e) => e.path).sort(), ['body.key', 'body.name']);
    const notJson = await fetch(`${s.url}/api/v1/projects`, { method: 'POST', headers: { authorization: `Bearer ${s.adminToken}`, 'content-type': 'text/plain' }, body: 'key=x' });
    assert.equal(notJson.status, 415);
  });

  test('log in, create a project and a token, and use the token', async () => {
    const login = await s.anonymous.call<{ token: string; user: { username: string; isAdmin: boolean } }>('POST', '/api/v1/auth/login', { username: 'admin', password: TEST_ADMIN_PASSWORD });
    assert.equal(login.status, 200);
    assert.equal(login.body.user.isAdmin, true);
    const cookie = login.headers.get('set-cookie')!;
    assert.match(cookie, /opsloom_session=ols_/);
    assert.match(cookie, /httponly/i);
    assert.match(cookie, /samesite=strict/i);

    const created = await s.admin.call<{ id: string; key: string; role: string }>('POST', '/api/v1/projects', { key: 'payments', name: 'Payments', timeZone: 'Asia/Shanghai' });
    assert.equal(created.status, 201);
    assert.equal(created.body.role, 'admin');
    const dup = await s.admin.call<{ code: string }>('POST', '/api/v1/projects', { key: 'payments', name: 'Again' });
    assert.equal(dup.status, 409);
    assert.equal(dup.body.code, 'project_exists');
    const badTz = await s.admin.call('POST', '/api/v1/projects', { key: 'tz', name: 'TZ', timeZone: 'Mars/Olympus' });
    assert.equal(badTz.status, 400);

    const tok = await s.admin.call<{ token: string; id: string }>('POST', '/api/v1/tokens', { name: 'ci', projectId: created.body.id, role: 'operator' });
    assert.equal(tok.status, 201);
    assert.match(tok.body.token, /^olt_/);
    const listed = await s.admin.call<{ items: Record<string, unknown>[] }>('GET', '/api/v1/tokens');
    assert.ok(listed.body.items.every((t) => !('token' in t)), 'the secret is shown only once');

    const machine = apiClient(s.url, tok.body.token);
    const got = await machine.call<{ key: string; role: string }>('GET', '/api/v1/projects/payments');
    assert.equal(got.status, 200);
    assert.equal(got.body.role, 'operator', 'the token caps the owner\'s admin role');
    const manage = await machine.call<{ code: string }>('PATCH', '/api/v1/projects/payments', { name: 'X' });
    assert.equal(manage.status, 403);
    const other = await s.admin.call<{ id: string }>('POST', '/api/v1/projects', { key: 'other', name: 'Other' });
    assert.equal((await machine.call('GET', `/api/v1/projects/${other.body.id}`)).status, 403);
    assert.equal((await machine.call('POST', '/api/v1/projects', { key: 'sneaky', name: 'no' })).status, 403);

    assert.equal((await s.admin.call('DELETE', `/api/v1/tokens/${tok.body.id}`)).status, 204);
    // Revocation reaches every process within the cache window; this one forgets at once.
    assert.equal((await machine.call('GET', '/api/v1/projects/payments')).status, 401);
  });

  test('roles per project decide who may do what; non-members cannot see the project', async () => {
    for (const u of ['vera', 'otto', 'dora']) {
      assert.equal((await s.admin.call('POST', '/api/v1/users', { username: u, password: `${u}-password-1` })).status, 201);
    }
    await s.admin.call('POST', '/api/v1/projects', { key: 'shop', name: 'Shop' });
    assert.equal((await s.admin.call('PUT', '/api/v1/projects/shop/members/vera', { role: 'viewer' })).status, 200);
    assert.equal((await s.admin.call('PUT', '/api/v1/projects/shop/members/otto', { role: 'admin' })).status, 200);
    const as = async (u: string) => {
      const r = await s.anonymous.call<{ token: string }>('POST', '/api/v1/auth/login', { username: u, password: `${u}-password-1` });
      return apiClient(s.url, r.body.token);
    };
    const vera = await as('vera');
    const otto = await as('otto');
    const dora = await as('dora');
    assert.equal((await vera.call('GET', '/api/v1/projects/shop')).status, 200);
    assert.equal((await vera.call('PUT', '/api/v1/projects/shop/members/dora', { role: 'viewer' })).status, 403);
    assert.equal((await dora.call('GET', '/api/v1/projects/shop')).status, 404);
    const mine = await dora.call<{ items: unknown[] }>('GET', '/api/v1/projects');
    assert.deepEqual(mine.body.items, []);
    assert.equal((await otto.call('PUT', '/api/v1/projects/shop/members/dora', { role: 'operator' })).status, 200);
    assert.equal((await dora.call('GET', '/api/v1/projects/shop')).status, 200);
    assert.equal((await otto.call('POST', '/api/v1/users', { username: 'eve', password: 'eve-password-1' })).status, 403);
    // The project keeps at least one admin besides the system admins.
    assert.equal((await s.admin.call('DELETE', '/api/v1/projects/shop/members/admin')).status, 204);
    const last = await otto.call<{ code: string }>('PUT', '/api/v1/projects/shop/members/otto', { role: 'viewer' });
    assert.equal(last.status, 409);
    assert.equal(last.body.code, 'last_admin');

    const log = await otto.call<{ items: { action: string; actorName: string; targetId: string; status: number }[] }>('GET', '/api/v1/projects/shop/audit');
    assert.equal(log.status, 200);
    const set = log.body.items.find((i) => i.action === 'project.member.set' && i.targetId === 'dora');
    assert.ok(set, 'the member change is in the project audit log');
    assert.equal(set.actorName, 'otto');
    assert.equal(set.status, 200);
    assert.ok(log.body.items.some((i) => i.action === 'project.member.set' && i.status === 409), 'refused operations are audited too');
    assert.equal((await vera.call('GET', '/api/v1/projects/shop/audit')).status, 403);
    assert.equal((await otto.call('GET', '/api/v1/audit')).status, 403);
  });

  test('an email address longer than 254 characters is refused with 400, on create and on update', async () => {
    const long = `${'m'.repeat(250)}@example.com`;
    const created = await s.admin.call<{ errors: { path: string }[] }>('POST', '/api/v1/users', { username: 'mailer', password: 'mailer-password-1', email: long });
    assert.equal(created.status, 400, JSON.stringify(created.body));
    assert.deepEqual(created.body.errors.map((e) => e.path), ['body.email']);
    assert.equal(await s.ops.db('users').where({ username: 'mailer' }).first(), undefined);
    const u = await s.admin.call<{ id: string }>('POST', '/api/v1/users', { username: 'mailer', password: 'mailer-password-1', email: 'm@example.com' });
    const patched = await s.admin.call<{ errors: { path: string }[] }>('PATCH', `/api/v1/users/${u.body.id}`, { email: long });
    assert.equal(patched.status, 400, JSON.stringify(patched.body));
    assert.equal((await s.ops.db('users').where({ id: u.body.id }).first() as { email: string }).email, 'm@example.com');
  });

  test('a disabled user loses access at once', async () => {
    const u = await s.admin.call<{ id: string }>('POST', '/api/v1/users', { username: 'gone', password: 'gone-password-1' });
    const r = await s.anonymous.call<{ token: string }>('POST', '/api/v1/auth/login', { username: 'gone', password: 'gone-password-1' });
    const gone = apiClient(s.url, r.body.token);
    assert.equal((await gone.call('GET', '/api/v1/auth/me')).status, 200);
    assert.equal((await s.admin.call('PATCH', `/api/v1/users/${u.body.id}`, { disabled: true })).status, 200);
    assert.equal((await gone.call('GET', '/api/v1/auth/me')).status, 401);
    assert.equal((await s.anonymous.call('POST', '/api/v1/auth/login', { username: 'gone', password: 'gone-password-1' })).status, 401);
  });

  test('the session cookie works for reads and is refused for cross-site writes', async () => {
    const login = await s.anonymous.call('POST', '/api/v1/auth/login', { username: 'admin', password: TEST_ADMIN_PASSWORD });
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const me = await fetch(`${s.url}/api/v1/auth/me`, { headers: { cookie } });
    assert.equal(me.status, 200);
    const cross = await fetch(`${s.url}/api/v1/projects`, { method: 'POST', headers: { cookie, origin: 'https://evil.example', 'content-type': 'application/json' }, body: JSON.stringify({ key: 'csrf', name: 'CSRF' }) });
    assert.equal(cross.status, 401);
    const same = await fetch(`${s.url}/api/v1/projects`, { method: 'POST', headers: { cookie, origin: s.url, 'content-type': 'application/json' }, body: JSON.stringify({ key: 'samesite', name: 'Same' }) });
    assert.equal(same.status, 201);
  });
});
