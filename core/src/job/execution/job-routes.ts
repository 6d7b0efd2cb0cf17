import { z } from 'zod';
import { route, type Route } from '../../http/route.js';
import { projectParams, queryInt } from '../../http/schemas.js';
import { executeScriptRequest } from './execute-request.js';
import type { JobStatus } from '../api-types.js';
import { HOST_RUN_STATUSES } from './job-model.js';
import type { JobService } from './job-service.js';
import { LOG_SEARCH_LIMITS } from './log-search.js';

const jobParams = projectParams.extend({ jobId: z.string().min(1).max(64) });
const JOB_STATUSES = ['running', 'paused', 'confirming', 'success', 'failed', 'cancelled'] as const satisfies readonly JobStatus[];

/** Fast execution of scripts and the jobs it creates. */
export function jobRoutes(jobs: JobService): Route[] {
  return [
    route({
      id: 'job.script.execute', method: 'post', path: '/api/v1/projects/:projectId/jobs/script', tag: 'jobs', auth: { project: 'operate' },
      status: 201, bodyLimitBytes: 8 * 1024 * 1024, params: projectParams, body: executeScriptRequest,
      summary: 'Run a script on hosts (inline, or from the script library); returns the job at once',
      async handler({ project, caller, body, audit }) {
        const { jobId, job } = await jobs.executeScript(body, { projectId: project.id, userId: caller.userId, username: caller.username, origin: 'api' });
        audit({ kind: 'job', id: jobId, detail: { hosts: job.hostCount, scriptId: job.scriptId, scriptVersionId: job.scriptVersionId } });
        return job;
      },
    }),
    route({
      id: 'job.list', method: 'get', path: '/api/v1/projects/:projectId/jobs', tag: 'jobs', auth: { project: 'read' }, params: projectParams,
      summary: 'Jobs of the project, newest first',
      query: z.object({ status: z.enum(JOB_STATUSES).optional(), before: z.string().max(64).optional(), limit: queryInt(1, 500).default(50) }),
      async handler({ project, query }) { return { items: await jobs.list(project.id, query) }; },
    }),
    route({
      id: 'job.get', method: 'get', path: '/api/v1/projects/:projectId/jobs/:jobId', tag: 'jobs', auth: { project: 'read' }, params: jobParams,
      summary: 'A job: status, per-status counts and result groups (status × tag)',
      async handler({ project, params }) { return jobs.get(params.jobId, project.id); },
    }),
    route({
      id: 'job.hosts', method: 'get', path: '/api/v1/projects/:projectId/jobs/:jobId/hosts', tag: 'jobs', auth: { project: 'read' }, params: jobParams,
      summary: 'Per-host results, filtered by status, tag or batch',
      query: z.object({
        status: z.enum(HOST_RUN_STATUSES as ['waiting']).optional(), tag: z.string().max(300).optional(), batch: queryInt(1, 500).optional(),
        limit: queryInt(1, 50_000).default(1000), offset: queryInt(0, 10_000_000).default(0),
      }),
      async handler({ project, params, query }) {
        return { items: await jobs.hosts(project.id, params.jobId, query) };
      },
    }),
    route({
      id: 'job.run.log', method: 'get', path: '/api/v1/projects/:projectId/jobs/:jobId/runs/:runId/log', tag: 'jobs', auth: { project: 'read' },
      params: jobParams.extend({ runId: z.string().min(1).max(64) }),
      summary: 'A page of one host\'s log by byte offset: base64 (exact bytes, the default) or text (invalid UTF-8 replaced)',
      query: z.object({ offset: queryInt(0, Number.MAX_SAFE_INTEGER).default(0), limit: queryInt(1, 4 * 1024 * 1024).default(1024 * 1024), encoding: z.enum(['base64', 'text']).default('base64') }),
      async handler({ project, params, query }) { return jobs.readLog(project.id, params.jobId, params.runId, query); },
    }),
    route({
      id: 'job.log.search', method: 'get', path: '/api/v1/projects/:projectId/jobs/:jobId/log-search', tag: 'jobs', auth: { project: 'read' }, params: jobParams,
      summary: `Hosts whose log contains a keyword, with the matching lines; reads at most maxBytes (≤ ${LOG_SEARCH_LIMITS.scanBytes}) of log per request, and when it stops early answers next: ask again with after=next`,
      query: z.object({
        keyword: z.string().min(1).max(256), after: z.string().min(1).max(64).optional(),
        maxBytes: queryInt(1, LOG_SEARCH_LIMITS.scanBytes).default(LOG_SEARCH_LIMITS.scanBytes),
      }),
      async handler({ project, params, query }) { return jobs.searchLogs(project.id, params.jobId, query); },
    }),
    route({
      id: 'job.terminate', method: 'post', path: '/api/v1/projects/:projectId/jobs/:jobId/terminate', tag: 'jobs', auth: { project: 'operate' }, params: jobParams,
      summary: 'Terminate a job: hosts that have not ended are cancelled',
      async handler({ project, params, audit }) {
        audit({ kind: 'job', id: params.jobId });
        return jobs.terminate(project.id, params.jobId);
      },
    }),
    route({
      id: 'job.retry', method: 'post', path: '/api/v1/projects/:projectId/jobs/:jobId/retry', tag: 'jobs', auth: { project: 'operate' }, params: jobParams,
      summary: 'Run the failed hosts (or all hosts) again', body: z.object({ scope: z.enum(['failed', 'all']).default('failed') }),
      async handler({ project, caller, params, body, audit }) {
        audit({ kind: 'job', id: params.jobId, detail: { scope: body.scope } });
        return jobs.retry(params.jobId, body.scope, { projectId: project.id, userId: caller.userId, username: caller.username, origin: 'api' });
      },
    }),
    route({
      id: 'job.confirm', method: 'post', path: '/api/v1/projects/:projectId/jobs/:jobId/confirm', tag: 'jobs', auth: { project: 'operate' }, params: jobParams,
      summary: 'Continue a rolling job with its next batch (after a pause or when each batch needs confirmation)',
      async handler({ project, params, audit }) {
        audit({ kind: 'job', id: params.jobId });
        return jobs.confirm(project.id, params.jobId);
      },
    }),
  ];
}
