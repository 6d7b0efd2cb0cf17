import { z } from 'zod';
import { route, type Route } from '../http/route.js';
import { iso, projectParams, queryInt } from '../http/schemas.js';
import type { AuditRecord, AuditStore } from './audit-store.js';

const query = z.object({
  actor: z.string().max(64).optional(),
  action: z.string().max(96).optional(),
  since: z.iso.datetime({ offset: true }).optional(),
  until: z.iso.datetime({ offset: true }).optional(),
  before: queryInt(1, Number.MAX_SAFE_INTEGER).optional(),
  limit: queryInt(1, 500).default(100),
});

const view = (r: AuditRecord) => ({ ...r, at: iso(r.at) });
const page = (items: AuditRecord[], limit: number) => ({
  items: items.map(view),
  next: items.length === limit ? items[items.length - 1]!.id : null,
});

/** The audit log: everything for administrators, a project's own for its admins. */
export function auditRoutes(store: AuditStore): Route[] {
  const filters = (q: z.infer<typeof query>) => ({
    ...(q.actor ? { actor: q.actor } : {}), ...(q.action ? { action: q.action } : {}),
    ...(q.since ? { since: Date.parse(q.since) } : {}), ...(q.until ? { until: Date.parse(q.until) } : {}),
    ...(q.before ? { before: q.before } : {}), limit: q.limit,
  });
  return [
    route({
      id: 'audit.list', method: 'get', path: '/api/v1/audit', tag: 'audit', auth: 'admin', query,
      summary: 'Audit log across the system, newest first; page with ?before=<next>',
      async handler({ query: q }) { return page(await store.query(filters(q)), q.limit); },
    }),
    route({
      id: 'project.audit.list', method: 'get', path: '/api/v1/projects/:projectId/audit', tag: 'audit', auth: { project: 'manage' },
      params: projectParams, query, summary: 'Audit log of one project, newest first',
      async handler({ project, query: q }) { return page(await store.query({ ...filters(q), projectId: project.id }), q.limit); },
    }),
  ];
}
