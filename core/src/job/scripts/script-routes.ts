import { z } from 'zod';
import { PROTOCOL_LIMITS, SCRIPT_LANGUAGES } from '@opsloom/agent/protocol';
import type { Caller, ProjectScope, Route, RouteAuth } from '../../http/route.js';
import { route } from '../../http/route.js';
import { iso, name } from '../../http/schemas.js';
import type { ScriptDetailView, ScriptListItemView, ScriptReferenceView, ScriptVersionView } from '../api-types.js';
import type { Script, ScriptReference, ScriptVersion } from './script-store.js';
import type { ScriptDetail, ScriptScope, ScriptService } from './script-service.js';

const versionView = (v: ScriptVersion): ScriptVersionView => ({ ...v, createdAt: iso(v.createdAt), updatedAt: iso(v.updatedAt) });
const listItemView = (s: Script & { onlineVersionId: string | null }): ScriptListItemView => ({ ...s, createdAt: iso(s.createdAt), updatedAt: iso(s.updatedAt) });
const detailView = (s: ScriptDetail): ScriptDetailView => ({ ...s, createdAt: iso(s.createdAt), updatedAt: iso(s.updatedAt), versions: s.versions.map(versionView) });
const referenceView = (r: ScriptReference): ScriptReferenceView => ({ ...r, createdAt: iso(r.createdAt) });

const content = z.string().max(PROTOCOL_LIMITS.scriptChars);
const versionLabel = z.string().trim().min(1).max(64);
const id = z.string().min(1).max(64);
const BODY_LIMIT = 8 * 1024 * 1024;

/**
 * The script library's routes, twice: a project's scripts under `/api/v1/projects/:projectId/scripts`
 * (developers edit, readers read) and public scripts under `/api/v1/public-scripts` (administrators
 * edit, every user reads).
 */
export function scriptRoutes(scripts: ScriptService): Route[] {
  return [
    ...library(scripts, {
      base: '/api/v1/projects/:projectId/scripts', idPrefix: 'job.script', tag: 'scripts',
      read: { project: 'read' }, write: { project: 'develop' },
      scope: (project) => project!.id, params: z.object({ projectId: id }),
    }),
    ...library(scripts, {
      base: '/api/v1/public-scripts', idPrefix: 'job.publicScript', tag: 'public-scripts',
      read: 'user', write: 'admin', scope: () => null, params: z.object({}),
    }),
  ];
}

interface LibraryOptions {
  base: string;
  idPrefix: string;
  tag: string;
  read: RouteAuth;
  write: RouteAuth;
  scope(project: ProjectScope | undefined, caller: Caller): ScriptScope;
  params: z.ZodObject;
}

function library(scripts: ScriptService, o: LibraryOptions): Route[] {
  const p = o.params;
  const pScript = p.extend({ scriptId: id });
  const pVersion = pScript.extend({ versionId: id });
  return [
    route({
      id: `${o.idPrefix}.list`, method: 'get', path: o.base, tag: o.tag, auth: o.read, params: p, summary: 'Scripts, each with its online version id',
      async handler({ project, caller }) { return { items: (await scripts.list(o.scope(project, caller))).map(listItemView) }; },
    }),
    route({
      id: `${o.idPrefix}.create`, method: 'post', path: o.base, tag: o.tag, auth: o.write, params: p, status: 201, bodyLimitBytes: BODY_LIMIT,
      summary: 'Create a script with its first version (a draft)',
      body: z.object({ name, language: z.enum(SCRIPT_LANGUAGES), description: z.string().max(2000).nullable().optional(), version: versionLabel.optional(), content }),
      async handler({ project, caller, body, audit }) {
        const s = await scripts.create(o.scope(project, caller), caller.userId, body);
        audit({ kind: 'script', id: s.id, detail: { name: s.name } });
        return detailView(s);
      },
    }),
    route({
      id: `${o.idPrefix}.get`, method: 'get', path: `${o.base}/:scriptId`, tag: o.tag, auth: o.read, params: pScript, summary: 'A script with all its versions',
      async handler({ project, caller, params }) { return detailView(await scripts.get(o.scope(project, caller), (params as { scriptId: string }).scriptId)); },
    }),
    route({
      id: `${o.idPrefix}.update`, method: 'patch', path: `${o.base}/:scriptId`, tag: o.tag, auth: o.write, params: pScript, summary: 'Rename or describe a script',
      body: z.object({ name: name.optional(), description: z.string().max(2000).nullable().optional() }),
      async handler({ project, caller, params, body, audit }) {
        const sid = (params as { scriptId: string }).scriptId;
        audit({ kind: 'script', id: sid });
        return detailView(await scripts.update(o.scope(project, caller), sid, body));
      },
    }),
    route({
      id: `${o.idPrefix}.delete`, method: 'delete', path: `${o.base}/:scriptId`, tag: o.tag, auth: o.write, params: pScript,
      summary: 'Delete a script (refused while a version is online)',
      async handler({ project, caller, params, audit }) {
        const sid = (params as { scriptId: string }).scriptId;
        await scripts.delete(o.scope(project, caller), sid);
        audit({ kind: 'script', id: sid });
        return undefined;
      },
    }),
    route({
      id: `${o.idPrefix}.references`, method: 'get', path: `${o.base}/:scriptId/references`, tag: o.tag, auth: o.read, params: pScript,
      summary: 'Jobs that ran this script',
      async handler({ project, caller, params }) {
        const r = await scripts.references(o.scope(project, caller), (params as { scriptId: string }).scriptId);
        return { total: r.total, items: r.items.map(referenceView) };
      },
    }),
    route({
      id: `${o.idPrefix}.version.create`, method: 'post', path: `${o.base}/:scriptId/versions`, tag: o.tag, auth: o.write, params: pScript, status: 201,
      bodyLimitBytes: BODY_LIMIT, summary: 'Add a draft version (copies another version when no content is given)',
      body: z.object({ version: versionLabel, content: content.optional(), description: z.string().max(2000).nullable().optional(), fromVersionId: id.optional() }),
      async handler({ project, caller, params, body, audit }) {
        const v = await scripts.addVersion(o.scope(project, caller), (params as { scriptId: string }).scriptId, caller.userId, body);
        audit({ kind: 'script-version', id: v.id, detail: { version: v.version } });
        return versionView(v);
      },
    }),
    route({
      id: `${o.idPrefix}.version.update`, method: 'patch', path: `${o.base}/:scriptId/versions/:versionId`, tag: o.tag, auth: o.write, params: pVersion,
      bodyLimitBytes: BODY_LIMIT, summary: 'Edit a draft version',
      body: z.object({ version: versionLabel.optional(), content: content.optional(), description: z.string().max(2000).nullable().optional() }),
      async handler({ project, caller, params, body, audit }) {
        const { scriptId, versionId } = params as { scriptId: string; versionId: string };
        audit({ kind: 'script-version', id: versionId });
        return versionView(await scripts.updateVersion(o.scope(project, caller), scriptId, versionId, body));
      },
    }),
    route({
      id: `${o.idPrefix}.version.delete`, method: 'delete', path: `${o.base}/:scriptId/versions/:versionId`, tag: o.tag, auth: o.write, params: pVersion,
      summary: 'Delete a version that is not online',
      async handler({ project, caller, params, audit }) {
        const { scriptId, versionId } = params as { scriptId: string; versionId: string };
        await scripts.deleteVersion(o.scope(project, caller), scriptId, versionId);
        audit({ kind: 'script-version', id: versionId });
        return undefined;
      },
    }),
    route({
      id: `${o.idPrefix}.version.publish`, method: 'post', path: `${o.base}/:scriptId/versions/:versionId/publish`, tag: o.tag, auth: o.write, params: pVersion,
      summary: 'Put a version online (the previous online version goes offline)',
      async handler({ project, caller, params, audit }) {
        const { scriptId, versionId } = params as { scriptId: string; versionId: string };
        audit({ kind: 'script-version', id: versionId });
        return versionView(await scripts.publish(o.scope(project, caller), scriptId, versionId));
      },
    }),
    route({
      id: `${o.idPrefix}.version.disable`, method: 'post', path: `${o.base}/:scriptId/versions/:versionId/disable`, tag: o.tag, auth: o.write, params: pVersion,
      summary: 'Disable a version: every run that references it is refused',
      async handler({ project, caller, params, audit }) {
        const { scriptId, versionId } = params as { scriptId: string; versionId: string };
        audit({ kind: 'script-version', id: versionId });
        return versionView(await scripts.disable(o.scope(project, caller), scriptId, versionId));
      },
    }),
  ];
}
