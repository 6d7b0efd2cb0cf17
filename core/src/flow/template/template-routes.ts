import { z } from 'zod';
import { route, type Route } from '../../http/route.js';
import { iso, name, projectParams, queryInt } from '../../http/schemas.js';
import type { FlowGraph } from '../../model/index.js';
import type { Template } from './template-store.js';
import type { TemplateService } from './template-service.js';

/**
 * Only that the graph is a JSON object: its shape (nodes not an array, a name too long, …) is the
 * flow model validator's to judge, so a save answers 422 invalid_flow with every problem, as
 * validate does, instead of a 400 naming the first.
 */
const graph = z.record(z.string(), z.unknown());
const GRAPH_LIMIT = 16 * 1024 * 1024;
const templateParams = projectParams.extend({ templateId: z.string().min(1).max(64) });
const view = (t: Template) => ({
  id: t.id, name: t.name, description: t.description, latestVersion: t.latestVersion, createdBy: t.createdBy,
  updatedBy: t.updatedBy, createdAt: iso(t.createdAt), updatedAt: iso(t.updatedAt),
});

/** Flow templates: list, create, save a new version, versions, validate, export, import. */
export function templateRoutes(templates: TemplateService): Route[] {
  const asGraph = (g: unknown) => g as FlowGraph;
  return [
    route({
      id: 'template.list', method: 'get', path: '/api/v1/projects/:projectId/templates', tag: 'templates', auth: { project: 'read' },
      summary: 'Flow templates of a project, most recently changed first', params: projectParams,
      query: z.object({ search: z.string().max(128).optional(), limit: queryInt(1, 500).default(100), offset: queryInt(0, 1_000_000).default(0) }),
      async handler({ project, query }) { return { items: (await templates.list(project.id, query)).map(view) }; },
    }),
    route({
      id: 'template.create', method: 'post', path: '/api/v1/projects/:projectId/templates', tag: 'templates', auth: { project: 'develop' }, status: 201,
      summary: 'Create a template (version 1); an invalid graph is refused with every problem listed', params: projectParams, bodyLimitBytes: GRAPH_LIMIT,
      body: z.object({ name, description: z.string().max(2000).nullable().optional(), graph, comment: z.string().max(500).optional() }),
      async handler({ project, caller, body, audit }) {
        const t = await templates.create(project.id, caller.username, { ...body, graph: asGraph(body.graph) });
        audit({ kind: 'template', id: t.id, detail: { name: t.name } });
        return view(t);
      },
    }),
    route({
      id: 'template.validate', method: 'post', path: '/api/v1/projects/:projectId/templates/validate', tag: 'templates', auth: { project: 'read' }, audit: false,
      summary: 'Check a graph without saving it', params: projectParams, bodyLimitBytes: GRAPH_LIMIT, body: z.object({ graph: z.unknown() }),
      async handler({ project, body }) {
        const errors = await templates.check(project.id, body.graph);
        return { ok: errors.length === 0, errors };
      },
    }),
    route({
      id: 'template.import', method: 'post', path: '/api/v1/projects/:projectId/templates/import', tag: 'templates', auth: { project: 'develop' }, status: 201,
      summary: 'Import an exported template as a new template', params: projectParams, bodyLimitBytes: GRAPH_LIMIT,
      body: z.object({ format: z.string().max(64), name, description: z.string().max(2000).nullable().optional(), graph, rename: name.optional() }).passthrough(),
      async handler({ project, caller, body, audit }) {
        const t = await templates.import(project.id, caller.username, { ...body, graph: asGraph(body.graph) }, body.rename);
        audit({ kind: 'template', id: t.id, detail: { imported: true } });
        return view(t);
      },
    }),
    route({
      id: 'template.get', method: 'get', path: '/api/v1/projects/:projectId/templates/:templateId', tag: 'templates', auth: { project: 'read' },
      summary: 'A template with the graph of its latest version', params: templateParams,
      async handler({ project, params }) {
        const v = await templates.version(project.id, params.templateId);
        return { ...view(v.template), graph: v.graph, versionComment: v.comment, upgrades: await templates.upgrades(project.id, params.templateId) };
      },
    }),
    route({
      id: 'template.save', method: 'put', path: '/api/v1/projects/:projectId/templates/:templateId', tag: 'templates', auth: { project: 'develop' },
      summary: 'Save a new immutable version; with baseVersion (the version edited), refused with 409 template_changed when a newer one was saved meanwhile',
      params: templateParams, bodyLimitBytes: GRAPH_LIMIT,
      body: z.object({ graph, name: name.optional(), description: z.string().max(2000).nullable().optional(), comment: z.string().max(500).optional(), baseVersion: z.number().int().min(1).optional() }),
      async handler({ project, params, caller, body, audit }) {
        const t = await templates.save(project.id, params.templateId, caller.username, { ...body, graph: asGraph(body.graph) });
        audit({ kind: 'template', id: t.id, detail: { version: t.latestVersion } });
        return view(t);
      },
    }),
    route({
      id: 'template.upgrades', method: 'get', path: '/api/v1/projects/:projectId/templates/:templateId/upgrades', tag: 'templates', auth: { project: 'read' },
      summary: 'Task nodes whose plugin has a newer online version', params: templateParams,
      async handler({ project, params }) { return { items: await templates.upgrades(project.id, params.templateId) }; },
    }),
    route({
      id: 'template.upgrade', method: 'post', path: '/api/v1/projects/:projectId/templates/:templateId/upgrade', tag: 'templates', auth: { project: 'develop' },
      summary: 'Save a new version with the chosen nodes on their plugin\'s newest online version', params: templateParams,
      body: z.object({ nodes: z.array(z.string().min(1).max(64)).min(1).max(10_000) }),
      async handler({ project, params, caller, body, audit }) {
        const t = await templates.upgrade(project.id, params.templateId, caller.username, body.nodes);
        audit({ kind: 'template', id: t.id, detail: { version: t.latestVersion, upgraded: body.nodes } });
        return view(t);
      },
    }),
    route({
      id: 'template.delete', method: 'delete', path: '/api/v1/projects/:projectId/templates/:templateId', tag: 'templates', auth: { project: 'develop' },
      summary: 'Delete a template (tasks keep their snapshot); one that periodic tasks or other templates use is refused with 409 template_in_use unless ?force=true',
      params: templateParams, query: z.object({ force: z.enum(['true', 'false']).optional() }),
      async handler({ project, params, query, audit }) {
        const force = query.force === 'true';
        await templates.delete(project.id, params.templateId, { force });
        audit({ kind: 'template', id: params.templateId, ...(force ? { detail: { force } } : {}) });
        return undefined;
      },
    }),
    route({
      id: 'template.versions', method: 'get', path: '/api/v1/projects/:projectId/templates/:templateId/versions', tag: 'templates', auth: { project: 'read' },
      summary: 'Versions of a template, newest first', params: templateParams,
      async handler({ project, params }) {
        return { items: (await templates.versions(project.id, params.templateId)).map((v) => ({ version: v.version, comment: v.comment, createdBy: v.createdBy, createdAt: iso(v.createdAt) })) };
      },
    }),
    route({
      id: 'template.version', method: 'get', path: '/api/v1/projects/:projectId/templates/:templateId/versions/:version', tag: 'templates', auth: { project: 'read' },
      summary: 'One version of a template', params: templateParams.extend({ version: z.coerce.number().int().min(1) }),
      async handler({ project, params }) {
        const v = await templates.version(project.id, params.templateId, params.version);
        return { version: v.version, graph: v.graph, comment: v.comment, createdBy: v.createdBy, createdAt: iso(v.createdAt) };
      },
    }),
    route({
      id: 'template.export', method: 'get', path: '/api/v1/projects/:projectId/templates/:templateId/export', tag: 'templates', auth: { project: 'read' },
      summary: 'Export a template version as a JSON document', params: templateParams, query: z.object({ version: z.coerce.number().int().min(1).optional() }),
      async handler({ project, params, query, koa }) {
        const doc = await templates.export(project.id, params.templateId, query.version);
        koa.set('Content-Disposition', `attachment; filename="${doc.name.replace(/[^\w.-]+/g, '_')}.opsloom-flow.json"`);
        return doc;
      },
    }),
  ];
}
