import { z } from 'zod';
import { route, type Route } from '../http/route.js';
import { projectParams } from '../http/schemas.js';
import type { CmdbService } from './cmdb-service.js';
import { topologyName } from './cmdb-schemas.js';
import { moduleView, setView } from './cmdb-views.js';

const base = '/api/v1/projects/:projectId/cmdb';
const description = z.string().max(2000).nullable().optional();
const setParams = projectParams.extend({ setId: z.string().min(1).max(64) });
const moduleParams = projectParams.extend({ moduleId: z.string().min(1).max(64) });
const patch = z.object({ name: topologyName.optional(), description }).refine((b) => b.name !== undefined || b.description !== undefined, { message: 'give name and/or description' });
const clean = (b: { name?: string | undefined; description?: string | null | undefined }) => ({
  ...(b.name !== undefined ? { name: b.name } : {}), ...(b.description !== undefined ? { description: b.description } : {}),
});

/** Sets and modules of a project's CMDB. */
export function topologyRoutes(cmdb: CmdbService): Route[] {
  return [
    route({
      id: 'cmdb.topology.get', method: 'get', path: `${base}/topology`, tag: 'cmdb', auth: { project: 'read' },
      summary: 'The topology tree: sets, their modules and host counts, and the idle pool size', params: projectParams,
      async handler({ project }) { return cmdb.tree(project.id); },
    }),
    route({
      id: 'cmdb.set.create', method: 'post', path: `${base}/sets`, tag: 'cmdb', auth: { project: 'manage' }, status: 201,
      summary: 'Create a set', params: projectParams, body: z.object({ name: topologyName, description }),
      async handler({ project, body, audit }) {
        const s = await cmdb.createSet(project.id, body);
        audit({ kind: 'cmdb-set', id: s.id, detail: { name: s.name } });
        return setView(s);
      },
    }),
    route({
      id: 'cmdb.set.update', method: 'patch', path: `${base}/sets/:setId`, tag: 'cmdb', auth: { project: 'manage' },
      summary: 'Rename a set or change its description', params: setParams, body: patch,
      async handler({ project, params, body, audit }) {
        const s = await cmdb.updateSet(project.id, params.setId, clean(body));
        audit({ kind: 'cmdb-set', id: s.id, detail: { fields: Object.keys(clean(body)) } });
        return setView(s);
      },
    }),
    route({
      id: 'cmdb.set.delete', method: 'delete', path: `${base}/sets/:setId`, tag: 'cmdb', auth: { project: 'manage' },
      summary: 'Delete a set and its modules (refused while they hold hosts)', params: setParams,
      async handler({ project, params, audit }) {
        await cmdb.deleteSet(project.id, params.setId);
        audit({ kind: 'cmdb-set', id: params.setId });
        return undefined;
      },
    }),
    route({
      id: 'cmdb.module.create', method: 'post', path: `${base}/sets/:setId/modules`, tag: 'cmdb', auth: { project: 'manage' }, status: 201,
      summary: 'Create a module in a set', params: setParams, body: z.object({ name: topologyName, description }),
      async handler({ project, params, body, audit }) {
        const m = await cmdb.createModule(project.id, params.setId, body);
        audit({ kind: 'cmdb-module', id: m.id, detail: { name: m.name, setId: m.setId } });
        return moduleView(m);
      },
    }),
    route({
      id: 'cmdb.module.update', method: 'patch', path: `${base}/modules/:moduleId`, tag: 'cmdb', auth: { project: 'manage' },
      summary: 'Rename a module or change its description', params: moduleParams, body: patch,
      async handler({ project, params, body, audit }) {
        const m = await cmdb.updateModule(project.id, params.moduleId, clean(body));
        audit({ kind: 'cmdb-module', id: m.id, detail: { fields: Object.keys(clean(body)) } });
        return moduleView(m);
      },
    }),
    route({
      id: 'cmdb.module.delete', method: 'delete', path: `${base}/modules/:moduleId`, tag: 'cmdb', auth: { project: 'manage' },
      summary: 'Delete a module (refused while it holds hosts)', params: moduleParams,
      async handler({ project, params, audit }) {
        await cmdb.deleteModule(project.id, params.moduleId);
        audit({ kind: 'cmdb-module', id: params.moduleId });
        return undefined;
      },
    }),
  ];
}
