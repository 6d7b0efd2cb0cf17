import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { apiClient, startTestServer, type ApiClient, type TestServer } from '../test-support/test-server.js';

type Problem = { code: string; detail: string; role?: string; yourRole?: string };

/** Creating API tokens over the API: the project by id or key. */
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
});
