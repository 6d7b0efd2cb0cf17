import type { RegistryAuthDelegate } from '@opsloom/plugin-registry';
import { roleAllows } from '../auth/roles.js';
import type { AuthService } from '../auth/auth-service.js';
import { bearerKind } from '../auth/secrets.js';
import { AppError } from '../errors.js';
import type { ProjectService } from '../project/project-service.js';
import type { ReaderIdentity } from './reader-identity.js';

/** The scope only system administrators publish to: Opsloom's own standard plugins. */
export const OPSLOOM_SCOPE = '@opsloom';

/** Group the registry sees for system administrators. */
export const ADMIN_GROUP = 'opsloom-admin';

/** The npm scope of a package name (`@acme/ping` → `@acme`), or undefined for unscoped names. */
export function scopeOf(packageName: string): string | undefined {
  return /^(@[^/]+)\//.exec(packageName)?.[1];
}

/**
 * Who may publish what, in words (served by `GET /api/v1/registry` too).
 * Kept beside the code that enforces it so the two cannot drift.
 */
export const PUBLISH_RULE = [
  'Only scoped packages are accepted: @<scope>/<name>.',
  `${OPSLOOM_SCOPE}/* may be published by system administrators only (Opsloom's standard plugins).`,
  '@<projectKey>/* may be published by developers and admins of the project with that key (system administrators act as project admins).',
  'Scopes served by a remote source are read-only here; every other scope is refused.',
].join(' ');

/**
 * The registry's auth bridge: registry users are Opsloom users.
 * - `authenticate` checks the Opsloom password (or an Opsloom API token given as the password,
 *   for CI), and accepts core's own read-only {@link ReaderIdentity}.
 * - `allowPublish` applies {@link PUBLISH_RULE} against current roles, on every publish, so a
 *   role removed in Opsloom stops publishing at once even with a live npm token.
 */
export function registryAuth(deps: { auth: AuthService; projects: ProjectService; reader: ReaderIdentity }): RegistryAuthDelegate {
  const { auth, projects, reader } = deps;
  return {
    async authenticate(username, password) {
      if (reader.matches(username, password)) return { groups: ['opsloom-core'] };
      if (username.startsWith('$')) return null;
      if (bearerKind(password) === 'token') {
        const caller = await auth.resolveSecret(password).catch(() => undefined);
        return caller && caller.username === username ? { groups: caller.isAdmin ? [ADMIN_GROUP] : [] } : null;
      }
      try {
        const user = await auth.checkPassword(username, password, 'registry');
        return user ? { groups: user.isAdmin ? [ADMIN_GROUP] : [] } : null;
      } catch (err) {
        // Throttled sign-ins are refusals, not an outage of the user service.
        if (err instanceof AppError && err.status === 429) return null;
        throw err;
      }
    },
    async allowPublish(username, packageName) {
      const scope = scopeOf(packageName);
      if (!scope || username.startsWith('$')) return false;
      const user = await auth.getUser(username).catch(() => undefined);
      if (!user || user.disabled) return false;
      if (scope === OPSLOOM_SCOPE) return user.isAdmin;
      const project = await projects.scope({ userId: user.id, username: user.username, isAdmin: user.isAdmin }, scope.slice(1)).catch(() => undefined);
      return project !== undefined && project.key === scope.slice(1) && roleAllows(project.role, 'develop');
    },
  };
}
