import { PluginRuntimeError, type HostCallContext } from '@opsloom/plugin-runtime';
import { SCRIPT_LANGUAGES } from '@opsloom/agent/protocol';
import { z } from 'zod';
import type { CmdbService } from '../cmdb/cmdb-service.js';
import { parseArgs } from './host-errors.js';
import { hostTargets, resolveHostTargets } from './host-targets.js';
import { allHostResults, pluginJobState, type JobPort } from './job-port.js';

const jobId = z.string().min(1).max(64);

/** `host.agent.execute` arguments (see the host API contract). */
export const agentExecuteArgs = z.discriminatedUnion('action', [
  z.object({
    action: z.literal('start'),
    script: z.string().min(1).max(4 * 1024 * 1024).optional(),
    scriptId: z.string().min(1).max(64).optional(),
    scriptVersionId: z.string().min(1).max(64).optional(),
    language: z.enum(SCRIPT_LANGUAGES).optional(),
    params: z.string().max(64 * 1024).optional(),
    sensitiveParams: z.boolean().optional(),
    account: z.string().min(1).max(64).optional(),
    timeoutSeconds: z.number().int().min(1).max(259_200).optional(),
    targets: hostTargets,
  }).strict().refine((a) => a.script !== undefined || a.scriptId !== undefined || a.scriptVersionId !== undefined, { message: 'give script (with language), scriptId or scriptVersionId', path: ['script'] })
    .refine((a) => a.script === undefined || a.language !== undefined, { message: 'an inline script needs a language', path: ['language'] }),
  z.object({ action: z.literal('status'), jobId }).strict(),
  z.object({ action: z.literal('log'), jobId, hostId: z.string().min(1).max(64), offset: z.number().int().min(0).optional() }).strict(),
  z.object({ action: z.literal('cancel'), jobId }).strict(),
]);

/** Bytes of log one `log` call returns at most. */
const LOG_PAGE_BYTES = 256 * 1024;

/**
 * `host.agent.execute` over the job service: start a script on the task's project's hosts (by
 * identity, id, topology node or dynamic group), follow it, read a host's log, cancel it.
 * Jobs started here carry origin `flow` and the task's operator; other projects' jobs are not found.
 */
export function agentExecute(jobs: JobPort, cmdb: CmdbService | undefined) {
  return async (args: unknown, ctx: HostCallContext): Promise<unknown> => {
    const a = parseArgs(agentExecuteArgs, args, 'agent.execute');
    const projectId = ctx.context.projectId;
    switch (a.action) {
      case 'start': {
        const targets = await resolveHostTargets(cmdb, projectId, a.targets);
        const { jobId: id } = await jobs.executeScript({
          name: `${ctx.plugin.name} · task ${ctx.context.taskId} · ${ctx.context.nodeId}`.slice(0, 128),
          ...(targets.hostIds.length ? { hostIds: targets.hostIds } : {}), ...(targets.hosts.length ? { hosts: targets.hosts } : {}),
          ...(a.script !== undefined ? { content: a.script } : {}), ...(a.language ? { language: a.language } : {}),
          ...(a.scriptId ? { scriptId: a.scriptId } : {}), ...(a.scriptVersionId ? { scriptVersionId: a.scriptVersionId } : {}),
          ...(a.params !== undefined ? { params: a.params } : {}), ...(a.sensitiveParams !== undefined ? { paramsSensitive: a.sensitiveParams } : {}),
          ...(a.account ? { runAs: a.account } : {}), ...(a.timeoutSeconds ? { timeoutSeconds: a.timeoutSeconds } : {}),
        }, { projectId, userId: operatorOf(ctx), username: null, origin: 'flow' });
        return { jobId: id };
      }
      case 'status':
        return jobStatus(jobs, projectId, a.jobId);
      case 'log': {
        const run = (await allHostResults(jobs, projectId, a.jobId)).find((h) => h.hostId === a.hostId);
        if (!run) throw new PluginRuntimeError('NOT_FOUND', `agent.execute: job ${a.jobId} has no host ${a.hostId}`);
        const page = await jobs.readLog(projectId, a.jobId, run.runId, { offset: a.offset ?? 0, limit: LOG_PAGE_BYTES, encoding: 'text' });
        return { text: page.data, nextOffset: page.nextOffset, done: page.complete };
      }
      case 'cancel': {
        const job = await jobs.get(a.jobId, projectId);
        if (!job.finished) await jobs.terminate(projectId, a.jobId);
        return { ok: true };
      }
    }
  };
}

/** The `status` answer of the contract, shared with `agent.transfer`. */
export async function jobStatus(jobs: JobPort, projectId: string, id: string) {
  const job = await jobs.get(id, projectId);
  const hosts = await allHostResults(jobs, projectId, id);
  return {
    jobId: job.id,
    state: pluginJobState(job.status),
    hosts: hosts.map((h) => ({ hostId: h.hostId, cloudArea: h.cloudArea, ip: h.ip, status: h.status, exitCode: h.exitCode, tag: h.tag, startedAt: h.startedAt, finishedAt: h.endedAt })),
    counts: job.counts,
  };
}

/** The user a task runs for, when the engine passed one. */
export function operatorOf(ctx: HostCallContext): string | null {
  const op = ctx.context.operator;
  return typeof op === 'string' && op ? op : null;
}
