import { z } from 'zod';
import { ValidationError } from '../errors.js';
import { route, type Route } from '../http/route.js';
import { projectParams, queryInt } from '../http/schemas.js';
import { ImportRejectedError } from './cmdb-errors.js';
import type { CmdbHost } from './cmdb-model.js';
import { hostQueryBody, ipAddress, labelKey, labels, topologyName } from './cmdb-schemas.js';
import { toHostQuery, type CmdbService } from './cmdb-service.js';
import { MAX_IMPORT_ROWS, parseHostCsv, parseHostJson } from './host-import.js';

const base = '/api/v1/projects/:projectId/cmdb';
const hostIds = z.array(z.string().min(1).max(64)).min(1).max(50_000);
const page = { limit: queryInt(1, 5000).default(500), offset: queryInt(0, 10_000_000).default(0) };

const paged = (hosts: CmdbHost[], limit: number, offset: number) => ({ total: hosts.length, items: hosts.slice(offset, offset + limit) });

/** Host queries, placement, labels and import of a project's CMDB. */
export function cmdbHostRoutes(cmdb: CmdbService): Route[] {
  return [
    route({
      id: 'cmdb.host.list', method: 'get', path: `${base}/hosts`, tag: 'cmdb', auth: { project: 'read' },
      summary: 'Hosts with topology and labels; filter by set/module, label selector (env=prod,role in (web,api)), cloud area, IP',
      params: projectParams,
      query: z.object({
        set: topologyName.optional(), module: topologyName.optional(), selector: z.string().max(4096).optional(),
        cloudArea: queryInt(0, 2_147_483_647).optional(), ip: ipAddress.optional(), ...page,
      }),
      async handler({ project, query }) {
        const node = { ...(query.set ? { set: query.set } : {}), ...(query.module ? { module: query.module } : {}) };
        const q = toHostQuery({
          ...(query.set || query.module ? { topology: [node] } : {}), ...(query.selector ? { selector: query.selector } : {}),
          ...(query.cloudArea !== undefined ? { cloudArea: query.cloudArea } : {}), ...(query.ip ? { ips: [query.ip] } : {}),
        }, 'query.selector');
        return paged(await cmdb.findHosts(project.id, q), query.limit, query.offset);
      },
    }),
    route({
      id: 'cmdb.host.search', method: 'post', path: `${base}/hosts/search`, tag: 'cmdb', auth: { project: 'read' }, audit: false,
      summary: 'Hosts matching a query (topology nodes, selector, cloud area, IPs), e.g. to preview a dynamic group',
      params: projectParams, query: z.object(page), body: hostQueryBody,
      async handler({ project, query, body }) {
        return paged(await cmdb.findHosts(project.id, toHostQuery(body, 'body.selector')), query.limit, query.offset);
      },
    }),
    route({
      id: 'cmdb.host.place', method: 'put', path: `${base}/hosts/placement`, tag: 'cmdb', auth: { project: 'manage' },
      summary: 'Move hosts into a module, or to the idle pool with moduleId null', params: projectParams,
      body: z.object({ hostIds, moduleId: z.string().min(1).max(64).nullable() }),
      async handler({ project, body, audit }) {
        await cmdb.placeHosts(project.id, body.hostIds, body.moduleId);
        audit({ kind: 'cmdb-hosts', id: body.moduleId ?? 'idle', detail: { hosts: body.hostIds.length } });
        return undefined;
      },
    }),
    route({
      id: 'cmdb.host.labels', method: 'patch', path: `${base}/hosts/labels`, tag: 'cmdb', auth: { project: 'manage' },
      summary: 'Set and/or remove labels on hosts', params: projectParams,
      body: z.object({ hostIds, set: labels.default({}), remove: z.array(labelKey).max(64).default([]) }),
      async handler({ project, body, audit }) {
        await cmdb.changeLabels(project.id, body.hostIds, body.set, body.remove);
        audit({ kind: 'cmdb-hosts', id: 'labels', detail: { hosts: body.hostIds.length, set: Object.keys(body.set), remove: body.remove } });
        return undefined;
      },
    }),
    route({
      id: 'cmdb.host.import', method: 'post', path: `${base}/hosts/import`, tag: 'cmdb', auth: { project: 'manage' },
      summary: 'Import hosts from CSV (cloudArea,ip,hostname,set,module,labels) or JSON, all rows or none',
      params: projectParams, bodyLimitBytes: 16 * 1024 * 1024,
      body: z.discriminatedUnion('format', [
        z.object({ format: z.literal('csv'), csv: z.string().min(1), createTopology: z.boolean().default(false) }),
        z.object({ format: z.literal('json'), hosts: z.array(z.unknown()).min(1).max(MAX_IMPORT_ROWS), createTopology: z.boolean().default(false) }),
      ]),
      async handler({ project, body, audit }) {
        const parsed = body.format === 'csv' ? parseHostCsv(body.csv) : parseHostJson(body.hosts);
        if (parsed.errors.length > 0) throw new ImportRejectedError(parsed.errors);
        if (parsed.rows.length === 0) throw new ValidationError('body.csv: the CSV has a header but no hosts', [{ path: 'body.csv', message: 'no hosts' }]);
        const result = await cmdb.importHosts(project.id, parsed.rows, { createTopology: body.createTopology });
        audit({ kind: 'cmdb-hosts', id: 'import', detail: { ...result, format: body.format } });
        return result;
      },
    }),
  ];
}
