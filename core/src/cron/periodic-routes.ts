import { z } from 'zod';
import { route, type Route } from '../http/route.js';
import { iso, name, projectParams } from '../http/schemas.js';
import type { JsonValue } from '../model/index.js';
import type { Periodic, PeriodicService } from './periodic-service.js';

const params = projectParams.extend({ periodicId: z.string().min(1).max(64) });
const body = z.object({
  name, templateId: z.string().min(1).max(64), version: z.number().int().min(1).optional(),
  variables: z.record(z.string(), z.custom<JsonValue>(() => true)).optional(), excludeNodes: z.array(z.string().max(64)).max(10_000).optional(),
  cron: z.string().max(120).optional(), timeZone: z.string().max(64).optional(), runAt: z.iso.datetime({ offset: true }).optional(), enabled: z.boolean().optional(),
});
const view = (p: Periodic) => ({
  id: p.id, name: p.name, kind: p.runAt !== null ? 'clocked' : 'periodic', templateId: p.templateId, templateVersion: p.templateVersion,
  variables: p.variables, excludeNodes: p.excludeNodes, cron: p.cron, timeZone: p.timeZone, runAt: iso(p.runAt), enabled: p.enabled,
  nextRunAt: iso(p.nextRunAt), lastRunAt: iso(p.lastRunAt), totalRuns: p.totalRuns, createdBy: p.createdBy, createdAt: iso(p.createdAt),
});

/** Periodic (cron) and clocked (one-off) tasks. */
export function periodicRoutes(service: PeriodicService): Route[] {
  const base = '/api/v1/projects/:projectId/periodic-tasks';
  return [
    route({
      id: 'periodic.list', method: 'get', path: base, tag: 'periodic', auth: { project: 'read' }, params: projectParams, summary: 'Periodic and clocked tasks',
      async handler({ project }) { return { items: (await service.list(project.id)).map(view) }; },
    }),
    route({
      id: 'periodic.create', method: 'post', path: base, tag: 'periodic', auth: { project: 'operate' }, params: projectParams, status: 201, body,
      summary: 'Create a periodic task (5-field cron in the project time zone, days as in Vixie cron) or a clocked one (runAt)',
      async handler({ project, caller, body: b, audit }) {
        const p = await service.create(project.id, caller.username, b);
        audit({ kind: 'periodic', id: p.id, detail: { cron: p.cron, runAt: p.runAt } });
        return view(p);
      },
    }),
    route({
      id: 'periodic.get', method: 'get', path: `${base}/:periodicId`, tag: 'periodic', auth: { project: 'read' }, params, summary: 'A periodic task with its next runs',
      async handler({ project, params: p }) {
        return { ...view(await service.get(project.id, p.periodicId)), upcoming: (await service.upcoming(project.id, p.periodicId)).map((t) => iso(t)) };
      },
    }),
    route({
      id: 'periodic.update', method: 'patch', path: `${base}/:periodicId`, tag: 'periodic', auth: { project: 'operate' }, params,
      body: body.partial().extend({ version: z.number().int().min(1).nullable().optional() }),
      summary: 'Change a periodic task: schedule, variables, template version (null: the latest), enable or disable',
      async handler({ project, params: p, body: b, audit }) {
        const updated = await service.update(project.id, p.periodicId, b);
        audit({ kind: 'periodic', id: p.periodicId, detail: { fields: Object.keys(b) } });
        return view(updated);
      },
    }),
    route({
      id: 'periodic.delete', method: 'delete', path: `${base}/:periodicId`, tag: 'periodic', auth: { project: 'operate' }, params, summary: 'Delete a periodic task',
      async handler({ project, params: p, audit }) {
        await service.delete(project.id, p.periodicId);
        audit({ kind: 'periodic', id: p.periodicId });
        return undefined;
      },
    }),
    route({
      id: 'periodic.history', method: 'get', path: `${base}/:periodicId/history`, tag: 'periodic', auth: { project: 'read' }, params, summary: 'Slots that fired or were missed, newest first',
      async handler({ project, params: p }) {
        return { items: (await service.history(project.id, p.periodicId)).map((h) => ({ ...h, slotAt: iso(h.slotAt), firedAt: iso(h.firedAt) })) };
      },
    }),
  ];
}
