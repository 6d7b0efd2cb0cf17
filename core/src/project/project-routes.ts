import { z } from 'zod';
import { ROLES } from '../auth/roles.js';
import { route, type Route } from '../http/route.js';
import { iso, name, projectParams, slug } from '../http/schemas.js';
import type { Project } from './project-store.js';
import type { ProjectService } from './project-service.js';

const projectView = (p: Project & { role?: string }) => ({
  id: p.id, key: p.key, name: p.name, description: p.description, timeZone: p.timeZone, createdAt: iso(p.createdAt),
  ...(p.role ? { role: p.role } : {}),
});

/** Projects and their members. */
export function projectRoutes(projects: ProjectService): Route[] {
  return [
    route({
      id: 'project.list', method: 'get', path: '/api/v1/projects', tag: 'projects', auth: 'user', summary: 'Projects I can see',
      async handler({ caller }) { return { items: (await projects.listFor(caller)).map(projectView) }; },
    }),
    route({
      id: 'project.create', method: 'post', path: '/api/v1/projects', tag: 'projects', auth: 'user', status: 201,
      summary: 'Create a project; its creator becomes its admin',
      body: z.object({ key: slug, name, description: z.string().max(2000).nullable().optional(), timeZone: z.string().max(64).optional() }),
      async handler({ caller, body, audit }) {
        const p = await projects.create(caller, body);
        audit({ kind: 'project', id: p.id, projectId: p.id, detail: { key: p.key } });
        return projectView({ ...p, role: 'admin' });
      },
    }),
    route({
      id: 'project.get', method: 'get', path: '/api/v1/projects/:projectId', tag: 'projects', auth: { project: 'read' },
      summary: 'A project', params: projectParams,
      async handler({ project }) { return projectView({ ...(await projects.get(project.id)), role: project.role }); },
    }),
    route({
      id: 'project.update', method: 'patch', path: '/api/v1/projects/:projectId', tag: 'projects', auth: { project: 'manage' },
      summary: 'Change a project', params: projectParams,
      body: z.object({ name: name.optional(), description: z.string().max(2000).nullable().optional(), timeZone: z.string().max(64).optional() }),
      async handler({ project, body, audit }) {
        audit({ kind: 'project', id: project.id, detail: { fields: Object.keys(body) } });
        return projectView(await projects.update(project.id, body));
      },
    }),
    route({
      id: 'project.delete', method: 'delete', path: '/api/v1/projects/:projectId', tag: 'projects', auth: 'admin',
      summary: 'Delete a project and everything in it (system administrators only)', params: projectParams,
      async handler({ params, caller, audit }) {
        const p = await projects.scope(caller, params.projectId);
        await projects.delete(p.id);
        audit({ kind: 'project', id: p.id, projectId: p.id, detail: { key: p.key } });
        return undefined;
      },
    }),
    route({
      id: 'project.member.list', method: 'get', path: '/api/v1/projects/:projectId/members', tag: 'projects', auth: { project: 'read' },
      summary: 'Members and their roles', params: projectParams,
      async handler({ project }) {
        return { items: (await projects.members(project.id)).map((m) => ({ ...m, since: iso(m.since) })) };
      },
    }),
    route({
      id: 'project.member.set', method: 'put', path: '/api/v1/projects/:projectId/members/:username', tag: 'projects', auth: { project: 'manage' },
      summary: 'Add a member or change their role', params: projectParams.extend({ username: z.string().min(1).max(64) }),
      body: z.object({ role: z.enum(ROLES) }),
      async handler({ project, params, body, audit }) {
        const m = await projects.setMember(project.id, params.username, body.role);
        audit({ kind: 'member', id: params.username, detail: { role: body.role } });
        return { ...m, since: iso(m.since) };
      },
    }),
    route({
      id: 'project.member.remove', method: 'delete', path: '/api/v1/projects/:projectId/members/:username', tag: 'projects', auth: { project: 'manage' },
      summary: 'Remove a member', params: projectParams.extend({ username: z.string().min(1).max(64) }),
      async handler({ project, params, audit }) {
        await projects.removeMember(project.id, params.username);
        audit({ kind: 'member', id: params.username });
        return undefined;
      },
    }),
  ];
}
