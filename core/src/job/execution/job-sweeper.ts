import type { Logger } from 'pino';
import type { Coordination, Lease } from '../../queue/index.js';
import type { AgentGateway } from '../gateway/agent-gateway.js';
import type { HostStore } from '../hosts/host-store.js';
import type { JobProgress } from './job-progress.js';
import type { JobStore } from './job-store.js';

/** Timing of the {@link JobSweeper}. */
export interface SweeperOptions {
  intervalMs: number;
  /**
   * Names the database this sweeper looks after: processes share the sweeper lease only when they
   * share the database (several deployments, or test servers, may share one Redis).
   */
  databaseKey: string;
  /** Agents not heard from for this long are offline. */
  silentAfterMs: number;
}


/**
 * The safety net that keeps jobs from staying "running" forever (bk-job's most common complaint):
 * runs past their deadline (timeout + grace) end as failed, agents that fell silent or whose gateway
 * died are marked offline, and jobs left mid-step by a crash are moved on. One process of a cluster
 * sweeps at a time (a lease); the state is all in the database, so a restarted core carries on.
 */
export class JobSweeper {
  #timer: NodeJS.Timeout | null = null;
  #lease: Lease | null = null;
  #running: Promise<void> | null = null;

  constructor(
    private readonly jobs: JobStore,
    private readonly hosts: HostStore,
    private readonly gateway: AgentGateway,
    private readonly progress: JobProgress,
    private readonly coordination: Coordination,
    private readonly options: SweeperOptions,
    private readonly log: Logger,
  ) {}

  start(): void {
    this.#timer = setInterval(() => this.#tick(), this.options.intervalMs);
    this.#timer.unref();
    this.#tick();
  }

  async close(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    await this.#running;
    await this.#lease?.release().catch(() => undefined);
  }

  #tick(): void {
    if (this.#running) return;
    this.#running = this.#sweepIfLeader().catch((err) => this.log.warn({ err }, 'job sweep failed')).finally(() => { this.#running = null; });
  }

  async #sweepIfLeader(): Promise<void> {
    const ttl = this.options.intervalMs * 3;
    if (this.#lease && !(await this.#lease.renew(ttl))) this.#lease = null;
    this.#lease ??= await this.coordination.leases.acquire(`job:sweeper:${this.options.databaseKey}`, ttl);
    if (!this.#lease) return;
    await this.sweep();
  }

  /** One pass; returns what it did (for tests and logs). */
  async sweep(now = Date.now()): Promise<{ overdue: number; offline: number; stalled: number }> {
    const overdue = await this.jobs.overdue(now, 5000);
    const jobIds = new Set<string>();
    if (overdue.length > 0) {
      const ended = new Set(await this.jobs.endRuns(overdue.map((r) => r.id), {
        status: 'failed', failureCode: 'AGENT_SILENT',
        failureMessage: 'no result from the agent within the run\'s timeout plus the grace period (the agent was offline or lost the run)', endedAt: now,
      }));
      for (const r of overdue) if (ended.has(r.id)) jobIds.add(r.jobId);
    }
    const dead: string[] = [];
    for (const g of await this.hosts.gatewaysInUse()) if (!(await this.gateway.isAlive(g))) dead.push(g);
    const offline = await this.hosts.sweepOffline(now - this.options.silentAfterMs, dead);
    const stalled = await this.jobs.stalledJobs(now - 5000, 200);
    for (const id of stalled) jobIds.add(id);
    for (const id of jobIds) await this.progress.check(id);
    if (overdue.length + offline > 0) this.log.info({ overdue: overdue.length, offline, stalled: stalled.length }, 'job sweep');
    return { overdue: overdue.length, offline, stalled: stalled.length };
  }
}
