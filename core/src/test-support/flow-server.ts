import { apiClient, startTestServer, type TestServer } from './test-server.js';
import { installTestPlugins } from './test-plugins.js';
import { flows } from './flow-helpers.js';

/**
 * A test server with every test plugin installed and one project, and a flow client of that
 * project: what each flow scenario file starts from.
 *
 * @example
 * let s: TestServer; let f: Flows;
 * before(async () => ({ s, f } = await openFlowServer()));
 * after(() => s.close());
 */
export async function openFlowServer(project = 'ops'): Promise<{ s: TestServer; f: Flows }> {
  const s = await startTestServer();
  await installTestPlugins(s);
  await s.admin.call('POST', '/api/v1/projects', { key: project, name: project });
  return { s, f: flows(s.admin, project) };
}

export type Flows = ReturnType<typeof flows>;

/** A new user with `role` in `project`, signed in: a flow client acting as them. */
export async function memberFlows(s: TestServer, username: string, role: string, project = 'ops'): Promise<Flows> {
  await s.admin.call('POST', '/api/v1/users', { username, password: `${username}-password` });
  await s.admin.call('PUT', `/api/v1/projects/${project}/members/${username}`, { role });
  const login = await s.anonymous.call<{ token: string }>('POST', '/api/v1/auth/login', { username, password: `${username}-password` });
  return flows(apiClient(s.url, login.body.token), project);
}
