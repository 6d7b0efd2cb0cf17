import { timingSafeEqual } from 'node:crypto';
import type { VerdaccioAuthPlugin } from './bridge.js';

/** Decides who an Opsloom user is; supplied by core. */
export interface RegistryAuthDelegate {
  /** Checks an Opsloom user's password; resolves the user's groups, or null when refused. */
  authenticate(username: string, password: string): Promise<{ groups: string[] } | null>;
  /** Whether the user may publish this package (scope permissions follow Opsloom roles). */
  allowPublish(username: string, packageName: string): Promise<boolean>;
}

/** The registry's own read-only identity (packument reads, cache warming); never publishes. */
export interface ServiceIdentity {
  username: string;
  password: string;
}

/** Group every Opsloom user gets, so packages config can name "any Opsloom user". */
export const OPSLOOM_USER_GROUP = 'opsloom-user';
/** Group of the registry's own service identity. */
export const SERVICE_GROUP = 'opsloom-registry-service';

/** An error Verdaccio turns into an HTTP status with this message as `{error}`. */
export function httpError(status: number, message: string): Error {
  return Object.assign(new Error(message), { status, statusCode: status, expose: true });
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Builds the Verdaccio auth plugin that makes Verdaccio's users Opsloom's users.
 * - `authenticate` asks core; groups are core's plus {@link OPSLOOM_USER_GROUP}.
 * - `adduser` never creates anyone: it succeeds only for an existing user with the right
 *   password, which makes `npm login` / `PUT /-/user/org.couchdb.user:NAME` hand out a token.
 * - `allow_publish` first honours the `packages` config (imported scopes are read-only), then asks core.
 */
export function createAuthPlugin(delegate: RegistryAuthDelegate, service: ServiceIdentity, onError: (err: unknown) => void): VerdaccioAuthPlugin {
  const check = async (username: string, password: string): Promise<string[] | null> => {
    if (username === service.username) return sameSecret(password, service.password) ? [SERVICE_GROUP] : null;
    if (typeof username !== 'string' || typeof password !== 'string' || username === '' || password === '') return null;
    const user = await delegate.authenticate(username, password);
    return user ? [...new Set([...user.groups, OPSLOOM_USER_GROUP])] : null;
  };
  const refused = (): Error => httpError(401, 'unknown Opsloom user or wrong password');
  const failed = (err: unknown): Error => {
    onError(err);
    return httpError(503, 'the Opsloom user service is unavailable; try again shortly');
  };

  return {
    authenticate(user, password, cb) {
      check(user, password).then((groups) => (groups ? cb(null, groups) : cb(refused())), (err: unknown) => cb(failed(err)));
    },
    adduser(user, password, cb) {
      check(user, password).then(
        (groups) => (groups ? cb(null, true) : cb(httpError(401, `no Opsloom user "${user}" with that password; users are managed in Opsloom, not created by npm`))),
        (err: unknown) => cb(failed(err)),
      );
    },
    allow_publish(user, pkg, cb) {
      const name = user.name;
      if (!name) {
        cb(httpError(401, `log in to publish ${pkg.name}`));
        return;
      }
      if (name === service.username) {
        cb(httpError(403, 'the registry service identity cannot publish'));
        return;
      }
      const allowedGroups = pkg.publish ?? [];
      if (!allowedGroups.some((g) => g === name || user.groups.includes(g))) {
        const proxied = pkg.proxy && pkg.proxy.length > 0 ? ` (it is imported from remote source "${pkg.proxy.join(', ')}")` : '';
        cb(httpError(403, `${pkg.name} cannot be published to this registry${proxied}`));
        return;
      }
      delegate.allowPublish(name, pkg.name).then(
        (ok) => (ok ? cb(null, true) : cb(httpError(403, `user ${name} may not publish ${pkg.name}: the Opsloom role for this scope is missing`))),
        (err: unknown) => cb(failed(err)),
      );
    },
  };
}
