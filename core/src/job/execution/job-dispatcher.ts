import type { Logger } from 'pino';
import type { RunScriptMessage, ServerMessage } from '@opsloom/agent/protocol';
import type { AgentGateway } from '../gateway/agent-gateway.js';
import type { AgentDelivery } from '../gateway/gateway-handlers.js';
import type { HostStore } from '../hosts/host-store.js';
import type { SecretCipher } from '../../secrets/secret-cipher.js';
import type { HostRun, JobRecord } from './job-model.js';
import type { JobStore } from './job-store.js';

/**
 * Sends runs to agents, wherever they are connected: through this process's gateway, or through the
 * owning gateway's event channel in a cluster. A run whose agent is offline ends at once as
 * `agent_offline`; a dispatched run gets a deadline (timeout + grace) after which the sweeper ends it.
 */
export class JobDispatcher {
  constructor(
    private readonly jobs: JobStore,
    private readonly hosts: HostStore,
    private readonly gateway: AgentGateway,
    private readonly cipher: SecretCipher,
    private readonly graceMs: number,
    private readonly log: Logger,
  ) {}

  /** The message that runs `job` as run `runId`; sensitive parameters are decrypted only here. */
  runMessage(job: JobRecord, runId: string): RunScriptMessage {
    const params = job.paramsCipher ? this.cipher.open(job.paramsCipher) : job.paramsPlain ?? '';
    return {
      type: 'run', runId, language: job.language, script: job.script, params, runAs: job.runAs, timeoutSeconds: job.timeoutSeconds,
      env: { OPSLOOM_JOB_ID: job.id, OPSLOOM_RUN_ID: runId },
    };
  }

  /** Dispatches runs of `job`; returns the ids of runs that ended at once (agent offline). */
  async dispatch(job: JobRecord, runs: HostRun[]): Promise<string[]> {
    const targeted = runs.filter((r) => r.agentId !== null && r.endedAt === null);
    const routes = await this.hosts.routes(targeted.map((r) => r.agentId!));
    const offline: string[] = [];
    const byGateway = new Map<string, HostRun[]>();
    for (const r of targeted) {
      const route = routes.get(r.agentId!);
      const here = route?.gatewayId === this.gateway.id;
      if (!route?.online || !route.gatewayId || (here && !this.gateway.isConnected(r.agentId!)) || !(await this.gateway.isAlive(route.gatewayId))) {
        offline.push(r.id);
        continue;
      }
      byGateway.set(route.gatewayId, [...(byGateway.get(route.gatewayId) ?? []), r]);
    }
    const now = Date.now();
    const ended = offline.length > 0
      ? await this.jobs.endRuns(offline, { status: 'agent_offline', failureCode: 'AGENT_OFFLINE', failureMessage: 'the agent of this host was offline when the run was dispatched', endedAt: now })
      : [];
    const sent = [...byGateway.values()].flat().map((r) => r.id);
    await this.jobs.markDispatched(sent, now, now + job.timeoutSeconds * 1000 + this.graceMs);
    for (const [gatewayId, list] of byGateway) {
      if (gatewayId === this.gateway.id) {
        const missed = this.gateway.deliver(list.map((r) => ({ agentId: r.agentId!, message: this.runMessage(job, r.id) })));
        // A missed agent is reconnecting: its hello re-sends the run; if it never returns, the deadline ends it.
        if (missed.length > 0) this.log.debug({ jobId: job.id, missed: missed.length }, 'agents not connected at dispatch');
      } else {
        await this.gateway.route(gatewayId, { kind: 'dispatch', jobId: job.id, runIds: list.map((r) => r.id) });
      }
    }
    return ended;
  }

  /** Asks the agents of these runs to stop them. */
  async cancel(runs: HostRun[]): Promise<void> {
    const withAgent = runs.filter((r) => r.agentId !== null && r.dispatchedAt !== null);
    const routes = await this.hosts.routes(withAgent.map((r) => r.agentId!));
    for (const r of withAgent) {
      const gatewayId = routes.get(r.agentId!)?.gatewayId;
      if (gatewayId) await this.gateway.route(gatewayId, { kind: 'cancel', agentId: r.agentId!, runId: r.id }).catch((err) => this.log.warn({ err }, 'cancel not delivered'));
    }
  }

  /**
   * The host of `agentId` left the inventory, so its agent can no longer report: its open runs end now
   * as failed (not hours later at their deadline) and the agent, still connected through `gatewayId`,
   * is asked to stop them. Returns the jobs whose runs ended here.
   */
  async abandonAgent(agentId: string, gatewayId: string | null): Promise<string[]> {
    const open = await this.jobs.openRunsOfAgents([agentId]);
    const ended = new Set(await this.jobs.endRuns(open.map((r) => r.id), {
      status: 'failed', failureCode: 'HOST_REMOVED', failureMessage: 'the host was removed from the inventory while the script ran', endedAt: Date.now(),
    }));
    if (gatewayId) {
      for (const r of open) await this.gateway.route(gatewayId, { kind: 'cancel', agentId, runId: r.id }).catch((err) => this.log.warn({ err }, 'cancel not delivered'));
    }
    return [...new Set(open.filter((r) => ended.has(r.id)).map((r) => r.jobId))];
  }

  /** Run messages for a dispatch routed here from another process. */
  async loadDeliveries(job: JobRecord | undefined, runIds: string[]): Promise<AgentDelivery[]> {
    if (!job) return [];
    const runs = await this.jobs.runsByIds(runIds);
    return runs.filter((r) => r.jobId === job.id && r.endedAt === null && r.agentId)
      .map((r) => ({ agentId: r.agentId!, message: this.runMessage(job, r.id) }));
  }

  /**
   * After agents' `hello`s: runs they were given but do not hold any more are settled. A run that had
   * started was lost with the agent process (ended as failed); one never acknowledged as started is sent again.
   * A run an agent still holds that core has ended meanwhile is cancelled on the agent.
   */
  async reconcile(hellos: { agentId: string; activeRuns: string[] }[]): Promise<{ resend: ServerMessage[][]; endedJobs: string[] }> {
    const resend: ServerMessage[][] = hellos.map(() => []);
    const index = new Map(hellos.map((h, i) => [h.agentId, { i, active: new Set(h.activeRuns) }]));
    // Terminated, or ended by the sweeper, while the agent was cut off: the cancel never reached it, so it comes now.
    for (const r of await this.jobs.runsByIds([...new Set(hellos.flatMap((h) => h.activeRuns))])) {
      const h = r.agentId ? index.get(r.agentId) : undefined;
      if (h && r.endedAt !== null) resend[h.i]!.push({ type: 'cancel', runId: r.id });
    }
    const open = await this.jobs.openRunsOfAgents(hellos.map((h) => h.agentId));
    if (open.length === 0) return { resend, endedJobs: [] };
    const lost: HostRun[] = [];
    const again: { i: number; run: HostRun }[] = [];
    for (const r of open) {
      const h = index.get(r.agentId!);
      if (!h || h.active.has(r.id)) continue;
      if (r.status === 'running') lost.push(r);
      else if (r.status === 'waiting') again.push({ i: h.i, run: r });
    }
    const endedJobs = new Set<string>();
    if (lost.length > 0) {
      const ended = new Set(await this.jobs.endRuns(lost.map((r) => r.id), {
        status: 'failed', failureCode: 'AGENT_LOST_RUN', failureMessage: 'the agent restarted while the script was running; its result is lost', endedAt: Date.now(),
      }));
      for (const r of lost) if (ended.has(r.id)) endedJobs.add(r.jobId);
    }
    const jobs = new Map<string, JobRecord | undefined>();
    for (const { i, run } of again) {
      if (!jobs.has(run.jobId)) jobs.set(run.jobId, await this.jobs.get(run.jobId));
      const job = jobs.get(run.jobId);
      if (job) resend[i]!.push(this.runMessage(job, run.id));
    }
    return { resend, endedJobs: [...endedJobs] };
  }
}
