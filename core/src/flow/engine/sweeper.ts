import type { Logger } from 'pino';
import type { Coordination, Lease } from '../../queue/index.js';
import type { TaskStore } from '../task/task-store.js';
import type { FlowEngine } from './engine.js';
import { READY_STALE_MS } from './messages.js';
import { newId } from '../../store/ids.js';

/**
 * Finds what a crash or a lost message left behind and puts it back on track: ready nodes no
 * worker picked up, running steps whose lease expired (their process died), polls and subflow
 * nodes whose wake-up was lost, attempts past their timeout, and subflow tasks left active under a
 * revoked parent. One process sweeps at a time (a lease), so a cluster
 * does not recover the same node twice; every recovery is a versioned compare-and-set anyway.
 */
export class Sweeper {
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private lease: Lease | null = null;

  constructor(private readonly engine: FlowEngine, private readonly store: TaskStore, private readonly coordination: Coordination, private readonly log: Logger, private readonly intervalMs = 1000) {}

  start(): void {
    this.timer = setInterval(() => void this.sweep(), this.intervalMs);
    this.timer.unref();
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    while (this.running) await new Promise((r) => setTimeout(r, 10));
    await this.lease?.release().catch(() => undefined);
  }

  /** One pass; exposed for tests and for start-up recovery. */
  async sweep(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      if (!this.lease || !(await this.lease.renew(this.intervalMs * 5))) this.lease = await this.coordination.leases.acquire('flow-sweeper', this.intervalMs * 5);
      if (!this.lease) return;
      const now = Date.now();
      const due = await this.store.due(now, now - READY_STALE_MS, 500);
      const fx = { messages: [] as Parameters<FlowEngine['flush']>[0]['messages'], events: [] };
      // Recovery messages carry `w`, so a message stuck with a dead worker does not deduplicate them away.
      for (const r of due.ready) fx.messages.push({ msg: { t: r.task_id, n: r.node_id, v: r.version, k: 'run', w: now } });
      for (const r of due.wake) {
        if (r.wait_kind === 'poll') fx.messages.push({ msg: { t: r.task_id, n: r.node_id, v: r.version, k: 'poll', w: now } });
        else if (r.wait_kind === 'subflow') fx.messages.push({ msg: { t: r.task_id, n: r.node_id, v: r.version, k: 'child', w: now } });
      }
      for (const r of due.expired) {
        // The process running this step died: run the attempt again under a new version. It is the
        // same attempt, not a failed one: it must not use up an auto-retry (execute counts it anew).
        const version = newId();
        const rerun = r.wait_kind ? {} : { attempts: Math.max(0, Number(r.attempts) - 1) };
        if (await this.store.casNode(r.task_id, r.node_id, ['running'], r.version, { state: r.wait_kind === 'callback' || r.wait_kind === 'poll' ? 'waiting' : 'ready', version: r.wait_kind ? r.version : version, leaseUntil: null, ...rerun })) {
          if (!r.wait_kind) {
            fx.messages.push({ msg: { t: r.task_id, n: r.node_id, v: version, k: 'run', w: now } });
            // Said on the node: a call it had in flight may have reached its target before the process died.
            await this.store.addLogs(r.task_id, r.node_id, [{ at: now, level: 'warn', message: 'the process running this step stopped before it recorded the outcome; the attempt runs again, so a call the plugin had under way may run twice' }]);
          }
          else if (r.wait_kind === 'poll') fx.messages.push({ msg: { t: r.task_id, n: r.node_id, v: r.version, k: 'poll', w: now } });
          this.log.warn({ taskId: r.task_id, nodeId: r.node_id }, 'recovered a step whose process stopped');
        }
      }
      if (fx.messages.length) await this.engine.flush(fx);
      for (const r of due.late) await this.engine.timeout(r.task_id, r.node_id, r.version);
      for (const id of await this.store.orphans(100)) {
        this.log.warn({ taskId: id }, 'revoking a subflow task whose parent was revoked without it');
        await this.engine.revokeTree(id);
      }
    } catch (err) {
      this.log.warn({ err }, 'flow sweep failed');
    } finally {
      this.running = false;
    }
  }
}
