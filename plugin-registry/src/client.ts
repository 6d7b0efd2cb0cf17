import { RegistryError, RegistryErrorCode } from './errors.js';

/**
 * Logs an existing Opsloom user into a registry and returns an npm token (what `npm login`
 * does), e.g. to write `//host:port/:_authToken=TOKEN` into an `.npmrc`.
 * Throws `REGISTRY_LOGIN_REFUSED` for an unknown user or a wrong password.
 * @example const token = await requestToken(handle.url, 'alice', 'her-password');
 */
export async function requestToken(registryUrl: string, username: string, password: string): Promise<string> {
  const url = new URL(`-/user/org.couchdb.user:${encodeURIComponent(username)}`, registryUrl.endsWith('/') ? registryUrl : `${registryUrl}/`);
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'PUT',
      headers: {
        'content-type': 'application/json',
        authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`,
      },
      body: JSON.stringify({ name: username, password }),
    });
  } catch (err) {
    throw new RegistryError(RegistryErrorCode.RequestFailed, `cannot reach the registry at ${registryUrl}: ${(err as Error).message}`);
  }
  const body = (await res.json().catch(() => ({}))) as { token?: unknown; error?: unknown };
  if (res.status === 401 || res.status === 403 || res.status === 409) {
    throw new RegistryError(RegistryErrorCode.LoginRefused, `the registry refused the login of ${username}: ${String(body.error ?? res.statusText)}`, { username });
  }
  if (!res.ok || typeof body.token !== 'string') {
    throw new RegistryError(RegistryErrorCode.RequestFailed, `login of ${username} failed with HTTP ${res.status}: ${String(body.error ?? '')}`);
  }
  return body.token;
}
