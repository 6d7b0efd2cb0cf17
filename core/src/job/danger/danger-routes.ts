import { z } from 'zod';
import { SCRIPT_LANGUAGES, PROTOCOL_LIMITS } from '@opsloom/agent/protocol';
import { route, type Route } from '../../http/route.js';
import { iso, projectParams, queryInt } from '../../http/schemas.js';
import type { DangerHitDetailView, DangerHitView, DangerMatchView, DangerRuleView } from '../api-types.js';
import { DANGER_ACTIONS, RULE_EXPRESSION_MAX, type DangerMatch, type DangerRule } from './danger-rule.js';
import type { DangerHitRecord, DangerHitSummary } from './danger-store.js';
import type { DangerService } from './danger-service.js';

const ruleView = (r: DangerRule): DangerRuleView => ({ ...r, createdAt: iso(r.createdAt), updatedAt: iso(r.updatedAt) });
const matchView = (m: DangerMatch): DangerMatchView => ({
  ruleId: m.rule.id, action: m.rule.action, description: m.rule.description, line: m.line, lineContent: m.lineContent, matched: m.matched,
});
const hitView = (h: DangerHitSummary): DangerHitView => ({ ...h, at: iso(h.at) });
const hitDetailView = (h: DangerHitRecord): DangerHitDetailView => ({ ...h, at: iso(h.at) });

const ruleBody = z.object({
  expression: z.string().min(1).max(RULE_EXPRESSION_MAX),
  languages: z.array(z.enum(SCRIPT_LANGUAGES)).min(1).max(SCRIPT_LANGUAGES.length),
  description: z.string().trim().min(1).max(512),
  action: z.enum(DANGER_ACTIONS as ['scan', 'intercept']),
  enabled: z.boolean().optional(),
});
const ruleParams = z.object({ ruleId: z.string().min(1).max(64) });
const hitId = queryInt(1, Number.MAX_SAFE_INTEGER);
const hitsQuery = z.object({ before: queryInt(1, Number.MAX_SAFE_INTEGER).optional(), limit: queryInt(1, 500).default(100) });

/** High-risk command rules (system administrators) and their hits. */
export function dangerRoutes(danger: DangerService): Route[] {
  return [
    route({
      id: 'job.dangerRule.list', method: 'get', path: '/api/v1/danger-rules', tag: 'danger-rules', auth: 'user',
      summary: 'High-risk command rules, in checking order',
      async handler() { return { items: (await danger.list()).map(ruleView) }; },
    }),
    route({
      id: 'job.dangerRule.create', method: 'post', path: '/api/v1/danger-rules', tag: 'danger-rules', auth: 'admin', status: 201,
      summary: 'Add a rule (the expression is refused when invalid or prone to catastrophic backtracking)', body: ruleBody,
      async handler({ body, audit }) {
        const r = await danger.create(body);
        audit({ kind: 'danger-rule', id: r.id, detail: { expression: r.expression, action: r.action } });
        return ruleView(r);
      },
    }),
    route({
      id: 'job.dangerRule.update', method: 'patch', path: '/api/v1/danger-rules/:ruleId', tag: 'danger-rules', auth: 'admin',
      summary: 'Change a rule, or enable/disable it', params: ruleParams, body: ruleBody.partial(),
      async handler({ params, body, audit }) {
        const r = await danger.update(params.ruleId, body);
        audit({ kind: 'danger-rule', id: r.id, detail: { fields: Object.keys(body) } });
        return ruleView(r);
      },
    }),
    route({
      id: 'job.dangerRule.delete', method: 'delete', path: '/api/v1/danger-rules/:ruleId', tag: 'danger-rules', auth: 'admin',
      summary: 'Delete a rule', params: ruleParams,
      async handler({ params, audit }) {
        await danger.delete(params.ruleId);
        audit({ kind: 'danger-rule', id: params.ruleId });
        return undefined;
      },
    }),
    route({
      id: 'job.dangerRule.reorder', method: 'put', path: '/api/v1/danger-rules/order', tag: 'danger-rules', auth: 'admin',
      summary: 'Set the checking order of the rules', body: z.object({ ids: z.array(z.string().min(1).max(64)).max(10_000) }),
      async handler({ body }) { return { items: (await danger.reorder(body.ids)).map(ruleView) }; },
    }),
    route({
      id: 'job.dangerRule.check', method: 'post', path: '/api/v1/danger-rules/check', tag: 'danger-rules', auth: 'user', audit: false,
      summary: 'Check a script against the enabled rules without running it (nothing is recorded)',
      body: z.object({ language: z.enum(SCRIPT_LANGUAGES), content: z.string().max(PROTOCOL_LIMITS.scriptChars) }),
      bodyLimitBytes: 8 * 1024 * 1024,
      async handler({ body }) { return { items: (await danger.check(body.language, body.content)).map(matchView) }; },
    }),
    route({
      id: 'job.dangerHit.listAll', method: 'get', path: '/api/v1/danger-hits', tag: 'danger-rules', auth: 'admin',
      summary: 'Every recorded rule hit, newest first (without the scripts: see a single hit)', query: hitsQuery,
      async handler({ query }) { return { items: (await danger.hits({ limit: query.limit, ...(query.before ? { before: query.before } : {}) })).map(hitView) }; },
    }),
    route({
      id: 'job.dangerHit.getAny', method: 'get', path: '/api/v1/danger-hits/:hitId', tag: 'danger-rules', auth: 'admin',
      summary: 'One recorded rule hit, with the whole script that was screened', params: z.object({ hitId }),
      async handler({ params }) { return hitDetailView(await danger.hit(params.hitId)); },
    }),
    route({
      id: 'job.dangerHit.list', method: 'get', path: '/api/v1/projects/:projectId/danger-hits', tag: 'danger-rules', auth: { project: 'read' },
      summary: 'Rule hits of runs in this project, newest first (without the scripts: see a single hit)', params: projectParams, query: hitsQuery,
      async handler({ project, query }) {
        return { items: (await danger.hits({ projectId: project.id, limit: query.limit, ...(query.before ? { before: query.before } : {}) })).map(hitView) };
      },
    }),
    route({
      id: 'job.dangerHit.get', method: 'get', path: '/api/v1/projects/:projectId/danger-hits/:hitId', tag: 'danger-rules', auth: { project: 'read' },
      summary: 'One rule hit of a run in this project, with the whole script that was screened', params: projectParams.extend({ hitId }),
      async handler({ project, params }) { return hitDetailView(await danger.hit(params.hitId, project.id)); },
    }),
  ];
}
