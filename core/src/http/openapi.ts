import { z } from 'zod';
import type { Route } from './route.js';

type Json = Record<string, unknown>;

function schemaOf(s: z.ZodType, io: 'input' | 'output'): Json {
  const out = z.toJSONSchema(s, { io, unrepresentable: 'any' }) as Json;
  delete out.$schema;
  return out;
}

/** The OpenAPI 3.1 document, generated from the same route declarations that validate requests. */
export function buildOpenApi(routes: Route[], info: { version: string }): Json {
  const paths: Record<string, Json> = {};
  for (const r of routes) {
    const path = r.path.replace(/:(\w+)/g, '{$1}');
    const parameters: Json[] = [];
    for (const [where, schema] of [['path', r.params], ['query', r.query]] as const) {
      if (!schema) continue;
      const js = schemaOf(schema, 'input') as { properties?: Record<string, Json>; required?: string[] };
      for (const [pname, ps] of Object.entries(js.properties ?? {})) {
        parameters.push({ name: pname, in: where, required: where === 'path' || (js.required ?? []).includes(pname), schema: ps });
      }
    }
    for (const m of r.path.matchAll(/:(\w+)/g)) {
      if (!parameters.some((p) => p.name === m[1] && p.in === 'path')) parameters.push({ name: m[1], in: 'path', required: true, schema: { type: 'string' } });
    }
    const status = String(r.status ?? 200);
    const responses: Json = {
      [status]: r.response ? { description: 'OK', content: { 'application/json': { schema: schemaOf(r.response, 'output') } } } : { description: 'OK' },
      default: { description: 'A problem document', content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } },
    };
    paths[path] ??= {};
    paths[path]![r.method] = {
      operationId: r.id,
      summary: r.summary,
      tags: [r.tag],
      ...(r.auth === 'public' ? { security: [] } : {}),
      ...(typeof r.auth === 'object' ? { 'x-opsloom-permission': r.auth.project } : r.auth === 'admin' ? { 'x-opsloom-permission': 'system-admin' } : {}),
      ...(parameters.length ? { parameters } : {}),
      ...(r.body ? { requestBody: { required: true, content: { 'application/json': { schema: schemaOf(r.body, 'input') } } } } : {}),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Opsloom API', version: info.version, description: 'Flows, tasks, plugins, jobs and hosts. Every route but health and metrics needs `Authorization: Bearer <token>` (from POST /api/v1/auth/login or an API token) or the portal session cookie.' },
    servers: [{ url: '/' }],
    security: [{ bearer: [] }, { session: [] }],
    paths,
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer' },
        session: { type: 'apiKey', in: 'cookie', name: 'opsloom_session' },
      },
      schemas: {
        Problem: {
          type: 'object',
          required: ['type', 'title', 'status', 'code', 'detail'],
          properties: {
            type: { type: 'string' }, title: { type: 'string' }, status: { type: 'integer' },
            code: { type: 'string', description: 'stable machine-readable error code' },
            detail: { type: 'string', description: 'what went wrong, for a person' },
            instance: { type: 'string' }, requestId: { type: 'string' },
          },
        },
      },
    },
  };
}
