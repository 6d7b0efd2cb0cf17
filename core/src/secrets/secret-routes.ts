import { z } from 'zod';
import { route, type Route } from '../http/route.js';
import { iso, projectParams } from '../http/schemas.js';
import { MAX_SECRET_CHARS, SECRET_NAME, type SecretService } from './secret-service.js';
import type { SecretInfo } from './secret-store.js';

const secretView = (s: SecretInfo) => ({
  name: s.name, description: s.description, createdAt: iso(s.createdAt), updatedAt: iso(s.updatedAt), updatedBy: s.updatedBy,
});
const secretName = z.string().regex(SECRET_NAME, 'use 1–128 letters, digits, "_", "." or "-"');
const value = z.string().min(1).max(MAX_SECRET_CHARS);
const description = z.string().max(2000).nullable().optional();
const secretParams = projectParams.extend({ name: secretName });

/** A project's secret store. No route returns a value; the audit log records names only. */
export function secretRoutes(secrets: SecretService): Route[] {
  return [
    route({
      id: 'secret.list', method: 'get', path: '/api/v1/projects/:projectId/secrets', tag: 'secrets', auth: { project: 'read' },
      summary: 'Names of the project\'s secrets, with description and last change (never the values)', params: projectParams,
      async handler({ project }) { return { items: (await secrets.list(project.id)).map(secretView) }; },
    }),
    route({
      id: 'secret.create', method: 'post', path: '/api/v1/projects/:projectId/secrets', tag: 'secrets', auth: { project: 'manage' },
      status: 201, summary: 'Store a new secret (plugins read it with the capability secrets.read:<name>)', params: projectParams,
      body: z.object({ name: secretName, value, description }),
      async handler({ project, body, caller, audit }) {
        const s = await secrets.create(project.id, body, caller.username);
        audit({ kind: 'secret', id: s.name });
        return secretView(s);
      },
    }),
    route({
      id: 'secret.update', method: 'put', path: '/api/v1/projects/:projectId/secrets/:name', tag: 'secrets', auth: { project: 'manage' },
      summary: 'Replace a secret\'s value and/or description', params: secretParams,
      body: z.object({ value: value.optional(), description }).refine((b) => b.value !== undefined || b.description !== undefined, { message: 'give value and/or description' }),
      async handler({ project, params, body, caller, audit }) {
        const patch = { ...(body.value !== undefined ? { value: body.value } : {}), ...(body.description !== undefined ? { description: body.description } : {}) };
        const s = await secrets.update(project.id, params.name, patch, caller.username);
        audit({ kind: 'secret', id: s.name, detail: { fields: Object.keys(patch) } });
        return secretView(s);
      },
    }),
    route({
      id: 'secret.delete', method: 'delete', path: '/api/v1/projects/:projectId/secrets/:name', tag: 'secrets', auth: { project: 'manage' },
      summary: 'Delete a secret; plugins that read it fail with SECRET_NOT_FOUND', params: secretParams,
      async handler({ project, params, audit }) {
        await secrets.delete(project.id, params.name);
        audit({ kind: 'secret', id: params.name });
        return undefined;
      },
    }),
  ];
}
