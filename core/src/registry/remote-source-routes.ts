import { z } from 'zod';
import { route, type Route } from '../http/route.js';
import { iso, projectParams } from '../http/schemas.js';
import { catalogView } from './catalog-view.js';
import type { RemoteImportService } from './remote-import.js';
import type { RemoteSourceView } from './remote-sources.js';

const sourceView = (s: RemoteSourceView) => ({ ...s, createdAt: iso(s.createdAt) });
const sourceParams = projectParams.extend({ source: z.string().min(1).max(64) });

/** A project's remote sources: other organisations' registries, proxied and cached as uplinks. */
export function remoteSourceRoutes(remote: RemoteImportService): Route[] {
  return [
    route({
      id: 'registry.source.list', method: 'get', path: '/api/v1/projects/:projectId/registry/sources', tag: 'registry', auth: { project: 'read' },
      summary: 'The project\'s remote sources (credentials are never returned)', params: projectParams,
      async handler({ project }) { return { items: (await remote.list(project.id)).map(sourceView) }; },
    }),
    route({
      id: 'registry.source.add', method: 'post', path: '/api/v1/projects/:projectId/registry/sources', tag: 'registry', auth: { project: 'manage' },
      status: 201, summary: 'Add another organisation\'s registry (URL, token kept encrypted, scopes it serves) as an uplink', params: projectParams,
      body: z.object({
        name: z.string().min(1).max(64), url: z.url().max(500), token: z.string().min(1).max(4096).optional(),
        scopes: z.array(z.string().min(2).max(64)).min(1).max(20), maxAgeSeconds: z.number().int().min(0).max(86_400).optional(),
      }),
      async handler({ project, body, caller, audit }) {
        audit({ kind: 'remote-source', id: body.name, detail: { url: body.url, scopes: body.scopes } });
        return sourceView(await remote.add(project.id, body, caller.username));
      },
    }),
    route({
      id: 'registry.source.remove', method: 'delete', path: '/api/v1/projects/:projectId/registry/sources/:source', tag: 'registry', auth: { project: 'manage' },
      summary: 'Remove a remote source; packages already cached stay installable', params: sourceParams,
      async handler({ project, params, audit }) {
        audit({ kind: 'remote-source', id: params.source });
        await remote.remove(project.id, params.source);
        return undefined;
      },
    }),
    route({
      id: 'registry.source.import', method: 'post', path: '/api/v1/projects/:projectId/registry/sources/:source/import', tag: 'registry', auth: { project: 'develop' },
      summary: 'Import a package from the source: cache it in this registry and list it in the marketplace', params: sourceParams,
      body: z.object({ package: z.string().min(1).max(214), versions: z.array(z.string().min(1).max(64)).max(100).optional() }),
      async handler({ project, params, body, audit }) {
        audit({ kind: 'remote-source', id: params.source, detail: { package: body.package, versions: body.versions ?? 'all' } });
        return { items: (await remote.import(project.id, params.source, body.package, body.versions)).map(catalogView) };
      },
    }),
  ];
}
