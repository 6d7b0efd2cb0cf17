import { createHash } from 'node:crypto';
import type { HostFacts } from '@opsloom/agent/protocol';
import type { DbConfig } from '../config/config.js';
import type { CoreModule, ModuleContext, ModuleFactory } from '../module.js';
import { dangerRoutes } from './danger/danger-routes.js';
import { DangerService } from './danger/danger-service.js';
import { DangerStore } from './danger/danger-store.js';
import { RegexSandbox } from './danger/regex-sandbox.js';
import { JobDispatcher } from './execution/job-dispatcher.js';
import { JobProgress } from './execution/job-progress.js';
import { jobRoutes } from './execution/job-routes.js';
import { JobService } from './execution/job-service.js';
import { JobStore } from './execution/job-store.js';
import { JobSweeper } from './execution/job-sweeper.js';
import { LogStore } from './execution/log-store.js';
import { RunReports } from './execution/run-reports.js';
import { AgentGateway } from './gateway/agent-gateway.js';
import type { GatewayHandlers } from './gateway/gateway-handlers.js';
import { hostRoutes } from './hosts/host-routes.js';
import { AgentAuthError, HostService } from './hosts/host-service.js';
import { MicroBatcher } from './gateway/micro-batcher.js';
import { HostStore } from './hosts/host-store.js';
import { RemovedHostStore } from './hosts/removed-host-store.js';
import { compileJobOptions, type JobOptions } from './job-options.js';
import { SecretCipher } from '../secrets/secret-cipher.js';
import { scriptRoutes } from './scripts/script-routes.js';
import { ScriptService } from './scripts/script-service.js';
import { ScriptStore } from './scripts/script-store.js';

/**
 * Builds the job domain (bk-job): hosts and agents, the agent gateway, the script library, high-risk
 * command rules, fast script execution, and the sweeper. Registers the {@link JobService} as `jobs`.
 */
export function createJobModule(options: JobOptions): ModuleFactory {
  return async (ctx: ModuleContext): Promise<CoreModule> => {
    const log = ctx.log.child({ module: 'jobs' });
    const hostStore = new HostStore(ctx.db);
    const jobStore = new JobStore(ctx.db);
    const cipher = SecretCipher.load(ctx.config, 'job-script-params');
    const sandbox = new RegexSandbox();
    const danger = new DangerService(new DangerStore(ctx.db), sandbox);
    const hosts = new HostService(hostStore, new RemovedHostStore(ctx.db));
    const scripts = new ScriptService(new ScriptStore(ctx.db));

    // The gateway and the services call each other; the handlers close over the services built below.
    const late = {} as { dispatcher: JobDispatcher; progress: JobProgress; reports: RunReports };
    // A reconnect storm (thousands of hellos at once) is served in batches: a few queries instead of thousands.
    const auth = new MicroBatcher((pairs: { agentId: string; credential: string }[]) => hosts.authenticateMany(pairs));
    const connections = new MicroBatcher(async (items: { agentId: string; connectionId: string; facts: HostFacts }[]) => {
      await hostStore.connectedMany(items.map((c) => ({ ...c, gatewayId: gateway.id })), Date.now());
      return items.map(() => undefined);
    });
    const reconciles = new MicroBatcher(async (hellos: { agentId: string; activeRuns: string[] }[]) => {
      const { resend, endedJobs } = await late.dispatcher.reconcile(hellos);
      late.progress.soon(endedJobs);
      return resend;
    });
    const enrolments = new MicroBatcher((requests: { token: string; facts: HostFacts }[]) => hosts.enrolMany(requests));
    const handlers: GatewayHandlers = {
      enrol: async (token, facts) => {
        const result = await enrolments.call({ token, facts });
        if (result instanceof AgentAuthError) throw result;
        return result;
      },
      authenticate: async (agentId, credential) => {
        const h = await auth.call({ agentId, credential });
        if (h instanceof AgentAuthError) throw h;
        return { previousGateway: h.online ? h.gatewayId : null };
      },
      connected: (agentId, connectionId, facts) => connections.call({ agentId, connectionId, facts }),
      reconcile: (agentId, activeRuns) => reconciles.call({ agentId, activeRuns }),
      disconnected: (agentId, connectionId) => hostStore.disconnected(agentId, connectionId, Date.now()),
      seen: (agentIds) => hostStore.seen(agentIds, Date.now()),
      storeReports: (batch) => late.reports.store(batch),
      loadDeliveries: async (jobId, runIds) => late.dispatcher.loadDeliveries(await jobStore.get(jobId), runIds),
    };
    const gateway = new AgentGateway(handlers, ctx.coordination, log, { heartbeatSeconds: options.heartbeatSeconds });
    const dispatcher = new JobDispatcher(jobStore, hostStore, gateway, cipher, options.graceMs, log);
    const progress = new JobProgress(jobStore, dispatcher, scripts, log);
    Object.assign(late, { dispatcher, progress, reports: new RunReports(jobStore, progress) });
    const jobs = new JobService(jobStore, new LogStore(ctx.db), hostStore, scripts, danger, dispatcher, progress, cipher, options, log);
    const sweeper = new JobSweeper(jobStore, hostStore, gateway, progress, ctx.coordination, {
      intervalMs: options.sweepIntervalMs, databaseKey: databaseKey(ctx.config.db), silentAfterMs: Math.max(3 * options.heartbeatSeconds * 1000 + options.sweepIntervalMs, 10_000),
    }, log);
    hosts.onAgentRemoved(async ({ removed: { agentId }, gatewayId, refusal }) => {
      progress.soon(await dispatcher.abandonAgent(agentId, gatewayId));
      if (gatewayId) await gateway.route(gatewayId, { kind: 'removed', agentId, message: refusal.message }).catch((err) => log.warn({ err, agentId }, 'a removed host\'s agent could not be told'));
    });
    ctx.registry.set('jobs', jobs);

    const gatewayRole = ctx.config.roles.has('agent-gateway');
    return {
      name: 'jobs',
      routes: [...hostRoutes(hosts), ...scriptRoutes(scripts), ...dangerRoutes(danger), ...jobRoutes(jobs)],
      attach(server) {
        if (gatewayRole) gateway.attach(server);
      },
      async start() {
        await gateway.start();
        sweeper.start();
      },
      async close() {
        await gateway.close();
        await sweeper.close();
        await progress.idle();
        await sandbox.close();
      },
    };
  };
}

/** A short stable name of the database (no credentials), so processes sharing it share the sweeper lease. */
function databaseKey(db: DbConfig): string {
  const where = db.kind === 'sqlite' ? `sqlite:${db.file}` : (() => {
    const u = new URL(db.url);
    return `mysql:${u.hostname}:${u.port || 3306}${u.pathname}`;
  })();
  return createHash('sha256').update(where).digest('hex').slice(0, 16);
}

/** The job module with its settings from the configuration (see {@link compileJobOptions}). */
export const jobModule: ModuleFactory = (ctx) => createJobModule(compileJobOptions(ctx.config.jobSettings))(ctx);

export { JobService } from './execution/job-service.js';
export type { JobActor, JobLimits } from './execution/job-service.js';
export type { ExecuteScriptRequest } from './execution/execute-request.js';
export { executeScriptRequest } from './execution/execute-request.js';
export type { HostResultView, HostRunStatus, JobStatus, JobView, LogView, RollingMode } from './api-types.js';
