/**
 * job-execute-script: starts a script job through `agent.execute`, then polls it with a growing
 * interval until it ends. Everything the poll needs is in the state, so it survives a restart.
 * When the engine gives up on the node while it waits, `cancel` stops the job.
 */
import { definePlugin, host, type PluginContext } from '@opsloom/plugin-sdk';
import { judge, pollDelayMs, readJobStatus, summarise, type JobOutputs, type JobStatus } from '@opsloom/plugin-sdk/jobs';
import { PluginFailure } from '@opsloom/plugin-sdk';
import { toJobTargets, type TargetsInput } from '@opsloom/plugin-sdk/jobs';

/** Inputs, as the manifest's schema describes them (the runtime validated them already). */
interface Inputs {
  script?: string;
  scriptId?: string;
  scriptVersionId?: string;
  language?: 'bash' | 'sh' | 'python3' | 'perl' | 'powershell';
  params?: string;
  sensitiveParams?: boolean;
  account?: string;
  timeoutSeconds?: number;
  targets: TargetsInput;
  tolerateFailureRatio?: number;
  maxPollIntervalSeconds?: number;
  logFailedHosts?: number;
}

/** What the engine keeps between polls. */
interface PollState {
  jobId: string;
  polls: number;
  /** Epoch ms after which a still-running job is cancelled: the agent's own timeout plus grace. */
  deadline: number;
  /** Consecutive failed status checks; a short outage of the job service is ridden out. */
  errors: number;
  tolerate: number;
  maxDelayMs: number;
  logFailedHosts: number;
}

/** Grace past the per-host timeout before the plugin gives up on a job that never reports an end. */
const DEADLINE_GRACE_MS = 120_000;
/** Consecutive status errors tolerated before the node fails. */
const MAX_STATUS_ERRORS = 5;
/** Host-call failures worth retrying: the job service hiccuped, or we polled too fast. */
const TRANSIENT = new Set(['HOST_SERVICE_FAILED', 'HOST_RATE_LIMITED']);
/** Characters of a failed host's output copied to the task log. */
const LOG_TAIL_CHARS = 2000;

export default definePlugin<Inputs, JobOutputs, PollState>({
  async execute(inputs, ctx) {
    const { script, scriptId, scriptVersionId } = inputs;
    if ((script === undefined) === (scriptId === undefined)) {
      throw new PluginFailure('SCRIPT_MISSING', 'give exactly one of script (inline text) or scriptId (a library script)');
    }
    if (scriptVersionId !== undefined && scriptId === undefined) {
      throw new PluginFailure('SCRIPT_MISSING', 'scriptVersionId needs scriptId: name the library script the version belongs to');
    }
    const timeoutSeconds = inputs.timeoutSeconds ?? 600;
    const args: Record<string, unknown> = {
      action: 'start',
      targets: toJobTargets(inputs.targets),
      params: inputs.params ?? '',
      sensitiveParams: inputs.sensitiveParams ?? false,
      timeoutSeconds,
    };
    if (script !== undefined) {
      args.script = script;
      args.language = inputs.language ?? 'bash';
    } else {
      args.scriptId = scriptId;
      if (scriptVersionId !== undefined) args.scriptVersionId = scriptVersionId;
    }
    if (inputs.account !== undefined) args.account = inputs.account;
    const started = (await host.agent.execute(args)) as { jobId?: unknown } | null;
    if (!started || typeof started.jobId !== 'string') {
      throw new PluginFailure('JOB_START_INVALID', 'the job service did not return a job id');
    }
    ctx.log.info(`started job ${started.jobId}`);
    const state: PollState = {
      jobId: started.jobId,
      polls: 0,
      deadline: Date.now() + timeoutSeconds * 1000 + DEADLINE_GRACE_MS,
      errors: 0,
      tolerate: inputs.tolerateFailureRatio ?? 0,
      maxDelayMs: (inputs.maxPollIntervalSeconds ?? 10) * 1000,
      logFailedHosts: inputs.logFailedHosts ?? 3,
    };
    return ctx.poll(state, pollDelayMs(0, state.maxDelayMs));
  },

  async poll(state, ctx) {
    let status: JobStatus;
    try {
      status = readJobStatus(await host.agent.execute({ action: 'status', jobId: state.jobId }));
    } catch (err) {
      const errors = state.errors + 1;
      const code = (err as { code?: unknown }).code;
      if (!TRANSIENT.has(code as string) || errors >= MAX_STATUS_ERRORS) throw err;
      ctx.log.warn(`status of job ${state.jobId} unavailable (${(err as Error).message}); retry ${errors} of ${MAX_STATUS_ERRORS - 1}`);
      return ctx.poll({ ...state, errors, polls: state.polls + 1 }, state.maxDelayMs);
    }
    if (status.state === 'running') {
      if (Date.now() > state.deadline) {
        await host.agent.execute({ action: 'cancel', jobId: state.jobId }).catch(() => undefined);
        throw new PluginFailure('JOB_TIMEOUT', `job ${state.jobId} was still running past its time limit and was cancelled`);
      }
      const polls = state.polls + 1;
      return ctx.poll({ ...state, polls, errors: 0 }, pollDelayMs(polls, state.maxDelayMs));
    }
    if (status.state === 'cancelled') {
      throw new PluginFailure('JOB_CANCELLED', `job ${state.jobId} was cancelled before it finished`);
    }
    const outputs = summarise(status);
    ctx.log.info(`job ${state.jobId} ${status.state}: ${outputs.successCount} of ${outputs.total} hosts succeeded`);
    await logFailures(outputs, state, ctx);
    return judge(outputs, state.tolerate);
  },

  // The engine gave up on the node (revoked, forced to fail, timed out between polls): stop the
  // job, or it keeps running on the agents (and beside the job of an automatic retry).
  async cancel(state, ctx) {
    await host.agent.execute({ action: 'cancel', jobId: state.jobId });
    ctx.log.info(`cancelled job ${state.jobId}`);
  },
});

/** Copies the tail of a few failed hosts' output to the task log, so the failure is readable in place. */
async function logFailures(outputs: JobOutputs, state: PollState, ctx: PluginContext): Promise<void> {
  const failed = outputs.hosts.filter((h) => h.status !== 'success').slice(0, state.logFailedHosts);
  for (const h of failed) {
    try {
      const log = (await host.agent.execute({ action: 'log', jobId: state.jobId, hostId: h.hostId })) as { text?: unknown } | null;
      const text = typeof log?.text === 'string' ? log.text : '';
      const tail = text.length > LOG_TAIL_CHARS ? `…${text.slice(-LOG_TAIL_CHARS)}` : text;
      ctx.log.warn(`${h.host} ${h.status}${h.exitCode !== null ? ` exit ${h.exitCode}` : ''}:\n${tail}`);
    } catch (err) {
      ctx.log.warn(`${h.host} ${h.status}; its output could not be read: ${(err as Error).message}`);
    }
  }
}
