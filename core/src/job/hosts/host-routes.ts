import { z } from 'zod';
import { route, type Route } from '../../http/route.js';
import { iso, name, projectParams, queryInt } from '../../http/schemas.js';
import type { CreatedEnrolTokenView, EnrolTokenView, HostView, RemovedHostView } from '../api-types.js';
import type { EnrolToken, Host } from './host-store.js';
import { publicHost, type HostService } from './host-service.js';
import type { RemovedHost } from './removed-host-store.js';

const hostView = (h: Host): HostView => {
  const p = publicHost(h);
  return { ...p, lastSeenAt: iso(p.lastSeenAt), createdAt: iso(p.createdAt), updatedAt: iso(p.updatedAt) };
};
const tokenView = (t: EnrolToken): EnrolTokenView => ({
  id: t.id, name: t.name, createdAt: iso(t.createdAt), expiresAt: iso(t.expiresAt), revokedAt: iso(t.revokedAt),
  lastUsedAt: iso(t.lastUsedAt), uses: t.uses,
});
const removedHostView = (r: RemovedHost): RemovedHostView => ({ ...r, removedAt: iso(r.removedAt) });
const hostParams = projectParams.extend({ hostId: z.string().min(1).max(64) });
const boolQuery = z.enum(['true', 'false']).transform((v) => v === 'true');

/** The hosts inventory and agent enrolment tokens of a project. */
export function hostRoutes(hosts: HostService): Route[] {
  return [
    route({
      id: 'job.host.list', method: 'get', path: '/api/v1/projects/:projectId/hosts', tag: 'hosts', auth: { project: 'read' },
      summary: 'Hosts of the project with their agents\' online state and last-seen time', params: projectParams,
      query: z.object({
        online: boolQuery.optional(), cloudArea: queryInt(0, 2_147_483_647).optional(), search: z.string().max(128).optional(),
        limit: queryInt(1, 5000).default(500), offset: queryInt(0, 10_000_000).default(0),
      }),
      async handler({ project, query }) {
        const { items, total } = await hosts.list(project.id, {
          limit: query.limit, offset: query.offset, ...(query.online !== undefined ? { online: query.online } : {}),
          ...(query.cloudArea !== undefined ? { cloudArea: query.cloudArea } : {}), ...(query.search ? { search: query.search } : {}),
        });
        return { total, items: items.map(hostView) };
      },
    }),
    route({
      id: 'job.host.get', method: 'get', path: '/api/v1/projects/:projectId/hosts/:hostId', tag: 'hosts', auth: { project: 'read' },
      summary: 'A host and its facts', params: hostParams,
      async handler({ project, params }) { return hostView(await hosts.get(project.id, params.hostId)); },
    }),
    route({
      id: 'job.host.remove', method: 'delete', path: '/api/v1/projects/:projectId/hosts/:hostId', tag: 'hosts', auth: { project: 'manage' },
      summary: 'Remove a host and keep it out: its agent is disconnected and refused (AGENT_REMOVED), and so is any enrolment of its (cloud area, IP) with the project\'s tokens, until it is re-admitted',
      params: hostParams,
      async handler({ project, caller, params, audit }) {
        const r = await hosts.remove(project.id, params.hostId, caller.username);
        audit({ kind: 'host', id: params.hostId, detail: { cloudArea: r.cloudArea, ip: r.ip, hostname: r.hostname, agentId: r.agentId } });
        return undefined;
      },
    }),
    route({
      id: 'job.removedHost.list', method: 'get', path: '/api/v1/projects/:projectId/removed-hosts', tag: 'hosts', auth: { project: 'manage' },
      summary: 'Hosts removed from the project and not re-admitted, most recent first', params: projectParams,
      query: z.object({ search: z.string().max(128).optional(), limit: queryInt(1, 5000).default(500), offset: queryInt(0, 10_000_000).default(0) }),
      async handler({ project, query }) {
        const { items, total } = await hosts.listRemoved(project.id, { limit: query.limit, offset: query.offset, ...(query.search ? { search: query.search } : {}) });
        return { total, items: items.map(removedHostView) };
      },
    }),
    route({
      id: 'job.removedHost.readmit', method: 'post', path: '/api/v1/projects/:projectId/removed-hosts/:hostId/readmit', tag: 'hosts', auth: { project: 'manage' },
      summary: 'Re-admit a removed host: its agent may enrol again with an enrolment token of the project', params: hostParams,
      async handler({ project, params, audit }) {
        const r = await hosts.readmit(project.id, params.hostId);
        audit({ kind: 'host', id: params.hostId, detail: { cloudArea: r.cloudArea, ip: r.ip, hostname: r.hostname } });
        return undefined;
      },
    }),
    route({
      id: 'job.enrolToken.create', method: 'post', path: '/api/v1/projects/:projectId/agent-tokens', tag: 'hosts', auth: { project: 'manage' },
      status: 201, summary: 'Create an agent enrolment token (its secret is shown only in this response)', params: projectParams,
      body: z.object({ name, expiresInSeconds: z.number().int().min(60).max(365 * 86400).optional() }),
      async handler({ project, caller, body, audit }) {
        const t = await hosts.createToken(project.id, caller.userId, body);
        audit({ kind: 'agent-token', id: t.id, detail: { name: t.name } });
        const created: CreatedEnrolTokenView = { ...tokenView(t), token: t.token };
        return created;
      },
    }),
    route({
      id: 'job.enrolToken.list', method: 'get', path: '/api/v1/projects/:projectId/agent-tokens', tag: 'hosts', auth: { project: 'manage' },
      summary: 'Agent enrolment tokens (without their secrets)', params: projectParams,
      async handler({ project }) { return { items: (await hosts.listTokens(project.id)).map(tokenView) }; },
    }),
    route({
      id: 'job.enrolToken.revoke', method: 'delete', path: '/api/v1/projects/:projectId/agent-tokens/:tokenId', tag: 'hosts', auth: { project: 'manage' },
      summary: 'Revoke an enrolment token (enrolled agents keep working)', params: projectParams.extend({ tokenId: z.string().min(1).max(64) }),
      async handler({ project, params, audit }) {
        await hosts.revokeToken(project.id, params.tokenId);
        audit({ kind: 'agent-token', id: params.tokenId });
        return undefined;
      },
    }),
  ];
}
