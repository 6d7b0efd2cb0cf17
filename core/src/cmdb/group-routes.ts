import { z } from 'zod';
import { route, type Route } from '../http/route.js';
import { projectParams, queryInt } from '../http/schemas.js';
import type { CmdbService } from './cmdb-service.js';
import { groupName, hostQueryBody } from './cmdb-schemas.js';
import { groupView } from './cmdb-views.js';

const base = '/api/v1/projects/:projectId/cmdb/groups';
const groupParams = projectParams.extend({ name: groupName });
const description = z.string().max(2000).nullable().optional();
const query = hostQueryBody.refine((q) => q.topology || q.selector?.trim() || q.cloudArea !== undefined || q.ips, {
  message: 'a group needs at least one criterion: topology, selector, cloudArea or ips',
});
const strip = <T extends object>(o: T) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as { [K in keyof T]: Exclude<T[K], undefined> };

/** Dynamic groups: saved host queries of a project, resolved each time a job or plugin uses them. */
export function groupRoutes(cmdb: CmdbService): Route[] {
  return [
    route({
      id: 'cmdb.group.list', method: 'get', path: base, tag: 'cmdb', auth: { project: 'read' },
      summary: 'Dynamic groups of the project', params: projectParams,
      async handler({ project }) { return { items: (await cmdb.listGroups(project.id)).map(groupView) }; },
    }),
    route({
      id: 'cmdb.group.create', method: 'post', path: base, tag: 'cmdb', auth: { project: 'develop' }, status: 201,
      summary: 'Save a host query as a dynamic group', params: projectParams,
      body: z.object({ name: groupName, description, query }),
      async handler({ project, body, caller, audit }) {
        const g = await cmdb.createGroup(project.id, { name: body.name, description: body.description ?? null, query: strip(body.query) }, caller.username);
        audit({ kind: 'cmdb-group', id: g.name });
        return groupView(g);
      },
    }),
    route({
      id: 'cmdb.group.get', method: 'get', path: `${base}/:name`, tag: 'cmdb', auth: { project: 'read' },
      summary: 'A dynamic group', params: groupParams,
      async handler({ project, params }) { return groupView(await cmdb.group(project.id, params.name)); },
    }),
    route({
      id: 'cmdb.group.update', method: 'put', path: `${base}/:name`, tag: 'cmdb', auth: { project: 'develop' },
      summary: 'Change a dynamic group\'s query or description', params: groupParams,
      body: z.object({ description, query: query.optional() }),
      async handler({ project, params, body, caller, audit }) {
        const g = await cmdb.updateGroup(project.id, params.name, {
          ...(body.description !== undefined ? { description: body.description } : {}), ...(body.query ? { query: strip(body.query) } : {}),
        }, caller.username);
        audit({ kind: 'cmdb-group', id: g.name });
        return groupView(g);
      },
    }),
    route({
      id: 'cmdb.group.delete', method: 'delete', path: `${base}/:name`, tag: 'cmdb', auth: { project: 'develop' },
      summary: 'Delete a dynamic group (jobs and plugins that name it then fail with not_found)', params: groupParams,
      async handler({ project, params, audit }) {
        await cmdb.deleteGroup(project.id, params.name);
        audit({ kind: 'cmdb-group', id: params.name });
        return undefined;
      },
    }),
    route({
      id: 'cmdb.group.hosts', method: 'get', path: `${base}/:name/hosts`, tag: 'cmdb', auth: { project: 'read' },
      summary: 'The hosts a dynamic group resolves to now', params: groupParams,
      query: z.object({ limit: queryInt(1, 5000).default(500), offset: queryInt(0, 10_000_000).default(0) }),
      async handler({ project, params, query }) {
        const hosts = await cmdb.groupHosts(project.id, params.name);
        return { total: hosts.length, items: hosts.slice(query.offset, query.offset + query.limit) };
      },
    }),
  ];
}
