/**
 * job-transfer-file: starts a file distribution through `agent.transfer` (from a host's path or
 * an uploaded file), then polls it until every target has the file or the job ends. When the
 * engine gives up on the node while it waits, `cancel` stops the transfer.
 */
import { definePlugin, host } from '@opsloom/plugin-sdk';
import { judge, pollDelayMs, readJobStatus, summarise, type JobOutputs, type JobStatus } from '@opsloom/plugin-sdk/jobs';
import { PluginFailure } from '@opsloom/plugin-sdk';
import { parseHost, toJobTargets, type TargetsInput } from '@opsloom/plugin-sdk/jobs';

/** Inputs, as the manifest's schema describes them (the runtime validated them already). */
interface Inputs {
  source: { host?: string; path?: string; uploadId?: string };
  targets: TargetsInput;
  targetPath: string;
  account?: string;
  timeoutSeconds?: number;
  tolerateFailureRatio?: number;
  maxPollIntervalSeconds?: number;
}

/** What the engine keeps between polls. */
interface PollState {
  jobId: string;
  polls: number;
  /** Epoch ms after which a still-running transfer is cancelled. */
  deadline: number;
  errors: number;
  tolerate: number;
  maxDelayMs: number;
}

const MAX_STATUS_ERRORS = 5;
const TRANSIENT = new Set(['HOST_SERVICE_FAILED', 'HOST_RATE_LIMITED']);
/** An absolute POSIX path, or a Windows drive path. No NUL, no parent-directory steps. */
const ABSOLUTE = /^(\/|[A-Za-z]:[\\/])/;

function checkPath(field: string, path: string): string {
  if (!ABSOLUTE.test(path) || path.includes('\0') || /(^|[\\/])\.\.([\\/]|$)/.test(path)) {
    throw new PluginFailure('PATH_INVALID', `${field} "${path}" must be an absolute path without ".." (e.g. /data/release/app.tar.gz)`);
  }
  return path;
}

/**
 * `targetPath` is a directory (the documented contract): it is sent with a trailing `/`, which core
 * takes as "put the file inside, under its own name" even when the directory does not exist yet.
 * Without it, core would write a file named after the last path segment.
 */
function asDirectory(path: string): string {
  return /[\\/]$/.test(path) ? path : `${path}/`;
}

/** The `source` argument of `agent.transfer`: a host's file, or an upload. */
function toSource(source: Inputs['source']): Record<string, unknown> {
  if (source.uploadId !== undefined) {
    if (source.host !== undefined || source.path !== undefined) {
      throw new PluginFailure('SOURCE_INVALID', 'source is either {uploadId} or {host, path}, not both');
    }
    return { uploadId: source.uploadId };
  }
  if (source.host === undefined || source.path === undefined) {
    throw new PluginFailure('SOURCE_INVALID', 'source needs {host: "cloudArea:ip", path: "/absolute/file"} or {uploadId}');
  }
  return { host: parseHost(source.host), path: checkPath('source.path', source.path) };
}

export default definePlugin<Inputs, JobOutputs, PollState>({
  async execute(inputs, ctx) {
    const args: Record<string, unknown> = {
      action: 'start',
      source: toSource(inputs.source),
      targets: toJobTargets(inputs.targets),
      targetPath: asDirectory(checkPath('targetPath', inputs.targetPath)),
    };
    if (inputs.account !== undefined) args.account = inputs.account;
    const started = (await host.agent.transfer(args)) as { jobId?: unknown } | null;
    if (!started || typeof started.jobId !== 'string') throw new PluginFailure('JOB_START_INVALID', 'the job service did not return a job id');
    ctx.log.info(`started transfer job ${started.jobId} to ${inputs.targetPath}`);
    const state: PollState = {
      jobId: started.jobId,
      polls: 0,
      deadline: Date.now() + (inputs.timeoutSeconds ?? 3600) * 1000,
      errors: 0,
      tolerate: inputs.tolerateFailureRatio ?? 0,
      maxDelayMs: (inputs.maxPollIntervalSeconds ?? 10) * 1000,
    };
    return ctx.poll(state, pollDelayMs(0, state.maxDelayMs));
  },

  async poll(state, ctx) {
    let status: JobStatus;
    try {
      status = readJobStatus(await host.agent.transfer({ action: 'status', jobId: state.jobId }));
    } catch (err) {
      const errors = state.errors + 1;
      if (!TRANSIENT.has((err as { code?: string }).code ?? '') || errors >= MAX_STATUS_ERRORS) throw err;
      ctx.log.warn(`status of transfer ${state.jobId} unavailable (${(err as Error).message}); retry ${errors} of ${MAX_STATUS_ERRORS - 1}`);
      return ctx.poll({ ...state, errors, polls: state.polls + 1 }, state.maxDelayMs);
    }
    if (status.state === 'running') {
      if (Date.now() > state.deadline) {
        await host.agent.transfer({ action: 'cancel', jobId: state.jobId }).catch(() => undefined);
        throw new PluginFailure('JOB_TIMEOUT', `transfer ${state.jobId} was still running past timeoutSeconds and was cancelled`);
      }
      const polls = state.polls + 1;
      return ctx.poll({ ...state, polls, errors: 0 }, pollDelayMs(polls, state.maxDelayMs));
    }
    if (status.state === 'cancelled') throw new PluginFailure('JOB_CANCELLED', `transfer ${state.jobId} was cancelled before it finished`);
    const outputs = summarise(status);
    ctx.log.info(`transfer ${state.jobId} ${status.state}: ${outputs.successCount} of ${outputs.total} hosts have the file`);
    return judge(outputs, state.tolerate, { code: 'TRANSFER_HOSTS_FAILED', verb: 'did not receive the file in', empty: 'reached no hosts' });
  },

  // The engine gave up on the node (revoked, forced to fail, timed out between polls): stop the
  // transfer, or it goes on writing to the targets (and beside the transfer of an automatic retry).
  async cancel(state, ctx) {
    await host.agent.transfer({ action: 'cancel', jobId: state.jobId });
    ctx.log.info(`cancelled transfer job ${state.jobId}`);
  },
});
