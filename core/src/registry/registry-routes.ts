import { route, type Route } from '../http/route.js';
import { roleAllows } from '../auth/roles.js';
import type { ProjectService } from '../project/project-service.js';
import { OPSLOOM_SCOPE, PUBLISH_RULE } from './publish-rights.js';
import type { RegistryLink } from './registry-link.js';

/** `GET /api/v1/registry`: where the registry is, what the caller may publish, and how to log in with npm. */
export function registryRoutes(link: () => Promise<RegistryLink | undefined>, projects: ProjectService): Route[] {
  return [
    route({
      id: 'registry.info', method: 'get', path: '/api/v1/registry', tag: 'registry', auth: 'user',
      summary: 'The plugin registry\'s URL, the scopes you may publish to, and how to log in with npm',
      async handler({ caller }) {
        const l = await link();
        const mine = (await projects.listFor(caller)).filter((p) => roleAllows(p.role, 'develop')).map((p) => `@${p.key}`);
        const scopes = caller.isAdmin ? [OPSLOOM_SCOPE, ...mine] : mine;
        if (!l) return { mode: 'off', url: null, scopes, publishRule: PUBLISH_RULE, login: null };
        const host = l.url.replace(/^https?:/, '');
        return {
          mode: l.mode, url: l.url, scopes, publishRule: PUBLISH_RULE,
          login: {
            npm: `npm login --auth-type=legacy --registry ${l.url}`,
            note: 'Use your Opsloom username and password (or an Opsloom API token as the password). npm stores the registry token it receives in ~/.npmrc.',
            npmrc: [`@<scope>:registry=${l.url}`, `${host}:_authToken=<token from npm login>`],
            tokenRequest: { method: 'PUT', url: `${l.url}-/user/org.couchdb.user:<username>`, body: { name: '<username>', password: '<password>' } },
          },
        };
      },
    }),
  ];
}
