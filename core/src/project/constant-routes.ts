import { z } from 'zod';
import { variableKeyProblem } from '../model/index.js';
import { route, type Route } from '../http/route.js';
import { projectParams } from '../http/schemas.js';
import { MAX_CONSTANT_DESCRIPTION, MAX_CONSTANT_VALUE_BYTES, type ProjectConstantService } from './constant-service.js';
import type { ProjectConstant } from './constant-store.js';

/** The templates whose latest version reads a constant, for the answer to its deletion. */
export type ConstantReaders = (projectId: string, key: string) => Promise<{ templateId: string; name: string }[]>;

const constantView = (c: ProjectConstant) => ({ key: c.key, value: c.value, description: c.description });

/** A constant's key: flows read it as `${_env_KEY}`, so it follows the variable-key rule. */
const constantKey = z.string().superRefine((key, ctx) => {
  const problem = variableKeyProblem(key);
  if (problem) ctx.addIssue({ code: 'custom', message: `key ${JSON.stringify(key.length > 40 ? `${key.slice(0, 40)}…` : key)} ${problem}` });
});
const constantParams = projectParams.extend({ key: constantKey });
const value = z.string().refine((v) => Buffer.byteLength(v) <= MAX_CONSTANT_VALUE_BYTES,
  { message: `must be at most ${MAX_CONSTANT_VALUE_BYTES} bytes (UTF-8)` });

/**
 * A project's constants. Reading them is for every member (flows show them in expressions);
 * changing them is a project setting, for project admins.
 */
export function constantRoutes(constants: ProjectConstantService, readers: ConstantReaders): Route[] {
  return [
    route({
      id: 'project.constant.list', method: 'get', path: '/api/v1/projects/:projectId/constants', tag: 'projects', auth: { project: 'read' },
      summary: 'The project\'s constants (flows read them as ${_env_KEY}), by key', params: projectParams,
      async handler({ project }) { return { items: (await constants.list(project.id)).map(constantView) }; },
    }),
    route({
      id: 'project.constant.set', method: 'put', path: '/api/v1/projects/:projectId/constants/:key', tag: 'projects', auth: { project: 'manage' },
      summary: 'Create or replace a constant (an omitted description is cleared); running tasks read the new value from their next expression on',
      params: constantParams,
      body: z.object({ value, description: z.string().max(MAX_CONSTANT_DESCRIPTION).nullable().optional() }),
      async handler({ project, params, body, audit }) {
        const { constant, created } = await constants.set(project.id, { key: params.key, value: body.value, description: body.description ?? null });
        audit({ kind: 'project-constant', id: constant.key, detail: { created, valueBytes: Buffer.byteLength(constant.value) } });
        return constantView(constant);
      },
    }),
    route({
      id: 'project.constant.delete', method: 'delete', path: '/api/v1/projects/:projectId/constants/:key', tag: 'projects', auth: { project: 'manage' },
      summary: 'Delete a constant; usedBy lists the templates whose latest version reads it (their saves and new runs will fail until it is back)',
      params: constantParams,
      async handler({ project, params, audit }) {
        await constants.delete(project.id, params.key);
        const usedBy = await readers(project.id, params.key);
        audit({ kind: 'project-constant', id: params.key, detail: { usedBy: usedBy.map((t) => t.templateId) } });
        return { key: params.key, usedBy };
      },
    }),
  ];
}
