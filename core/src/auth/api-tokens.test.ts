import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { apiClient, startTestServer, type ApiClient, type TestServer } from '../test-support/test-server.js';

type Problem = { code: string; detail: string; role?: string; yourRole?: string };

/** Creating API tokens over the API: the project by id or key, and no role beyond the creator's own. */
describe('API token creation', () => {
  let s: TestServer;
  let projectId = '';
  const as: Record<string, ApiClient> = {};

  before(async () => {
    s = await startTestServer();
    projectId = (await s.admin.call<{ id: string }>('POST', '/api/v1/projects', { key: 'payments', name: 'Payments' })).body.id;
    await s.admin.call('POST', '/api/v1/projects', { key: 'hidden', name: 'Hidden' });
    for (const [u, role] of [['olga', 'operator'], ['vic', 'viewer'], ['nora', null]] as const) {
      assert.equal((await s.admin.call('POST', '/api/v1/users', { username: u, password: `${u}-password-1` })).status, 201);
      if (role) assert.equal((await s.admin.call('PUT', `/api/v1/projects/payments/members/${u}`, { role })).status, 200);
      const login = await s.anonymous.call<{ token: string }>('POST', '/api/v1/auth/login', { username: u, password: `${u}-password-1` });
      as[u] = apiClient(s.url, login.body.token);
    }
  });
  after(async () => { await s.close(); });

  test('a project named by its key is resolved to its id, as the README shows', async () => {
    const tok = await s.admin.call<{ token: string; projectId: string; role: string }>('POST', '/api/v1/tokens', { name: 'ci', projectId: 'payments', role: 'operator' });
    assert.equal(tok.status, 201, JSON.stringify(tok.body));
    assert.deepEqual([tok.body.projectId, tok.body.role], [projectId, 'operator']);
    const me = await apiClient(s.url, tok.body.token).call<{ role: string }>('GET', '/api/v1/projects/payments');
    assert.equal(me.status, 200);
    assert.equal(me.body.role, 'operator');
    const byId = await s.admin.call<{ projectId: string }>('POST', '/api/v1/tokens', { name: 'ci2', projectId });
    assert.equal(byId.status, 201);
    assert.equal(byId.body.projectId, projectId);
  });

  test('an unknown project is 404, not a server error', async () => {
    const r = await s.admin.call<Problem>('POST', '/api/v1/tokens', { name: 'ci', projectId: 'no-such-project', role: 'viewer' });
    assert.equal(r.status, 404, JSON.stringify(r.body));
    assert.equal(r.body.code, 'not_found');
  });

  test('a token may not carry a role its creator does not hold in the project', async () => {
    for (const [u, wanted, held] of [['olga', 'admin', 'operator'], ['olga', 'developer', 'operator'], ['vic', 'operator', 'viewer']] as const) {
      const r = await as[u]!.call<Problem>('POST', '/api/v1/tokens', { name: 'mine', projectId: 'payments', role: wanted });
      assert.equal(r.status, 403, `${u} asking for ${wanted}: ${JSON.stringify(r.body)}`);
      assert.equal(r.body.code, 'token_role_not_held');
      assert.deepEqual([r.body.role, r.body.yourRole], [wanted, held]);
      assert.match(r.body.detail, new RegExp(`your role in project payments is ${held}`));
    }
    const tokens = await as.olga!.call<{ items: unknown[] }>('GET', '/api/v1/tokens');
    assert.deepEqual(tokens.body.items, [], 'nothing was created');
    // Their own role and those below it are fine; a system administrator may mint any role.
    assert.equal((await as.olga!.call('POST', '/api/v1/tokens', { name: 'same', projectId: 'payments', role: 'operator' })).status, 201);
    assert.equal((await as.vic!.call('POST', '/api/v1/tokens', { name: 'same', projectId: 'payments', role: 'viewer' })).status, 201);
    assert.equal((await s.admin.call('POST', '/api/v1/tokens', { name: 'any', projectId: 'hidden', role: 'admin' })).status, 201);
  });

  test('a token cannot reach past the token that creates it', async () => {
    const operatorToken = await s.admin.call<{ token: string }>('POST', '/api/v1/tokens', { name: 'capped', projectId: 'payments', role: 'operator' });
    const capped = apiClient(s.url, operatorToken.body.token);
    const r = await capped.call<Problem>('POST', '/api/v1/tokens', { name: 'wider', projectId: 'payments', role: 'admin' });
    assert.equal(r.status, 403, JSON.stringify(r.body));
    assert.equal(r.body.yourRole, 'operator');
    const other = await capped.call<Problem>('POST', '/api/v1/tokens', { name: 'elsewhere', projectId: 'hidden' });
    assert.equal(other.status, 403, JSON.stringify(other.body));
  });

  test('a non-member learns nothing of the project: 404 whatever the role asked for', async () => {
    for (const role of ['admin', 'viewer', undefined]) {
      const r = await as.nora!.call<Problem>('POST', '/api/v1/tokens', { name: 'x', projectId: 'payments', ...(role ? { role } : {}) });
      assert.equal(r.status, 404, `${role}: ${JSON.stringify(r.body)}`);
      assert.equal(r.body.code, 'not_found');
    }
  });
});
