import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CmdbService } from '../cmdb/cmdb-service.js';
import type { TemplateService } from '../flow/template/template-service.js';
import { TemplateStore } from '../flow/template/template-store.js';
import type { Caller } from '../http/route.js';
import { HostService } from '../job/hosts/host-service.js';
import { HostStore } from '../job/hosts/host-store.js';
import { RemovedHostStore } from '../job/hosts/removed-host-store.js';
import type { CoreModule, ModuleContext, ModuleFactory } from '../module.js';
import type { PluginService } from '../plugin/plugin-service.js';
import type { MarketplaceService } from '../registry/marketplace-service.js';
import { ensureOpsloomKey } from '../registry/org-key.js';
import type { RegistryLink } from '../registry/registry-link.js';
import { TrustStore } from '../registry/trust-store.js';
import { compileBootstrapOptions, type BootstrapOptions } from './bootstrap-options.js';
import { ensureDemoProject, ensureDemoTopology, ensureReleaseTemplate, placeLocalHost } from './demo-project.js';
import { LOCAL_AGENT_IP, startLocalAgent, type LocalAgent } from './local-agent.js';
import { RELEASE_TEMPLATE_PLUGINS } from './release-template.js';
import { ensureStandardPlugins, type StandardPluginReport } from './standard-plugins.js';

/** What the last bootstrap run did (registered as `bootstrap` for the CLI and tests). */
export interface BootstrapStatus {
  ran: boolean;
  durationMs: number;
  plugins: StandardPluginReport | null;
  projectId: string | null;
  templateId: string | null;
  localAgent: { online: boolean; agentId: string | null } | null;
}

/**
 * First start of embedded mode: the standard plugins published, signed and enabled, the demo
 * project with the local host in CMDB set `web` / module `app`, a local agent, and the
 * "Release a service" template. Every step checks what exists first, so later starts only start
 * the local agent. Runs last (after the registry, flow and job modules have started).
 */
export function createBootstrapModule(options: BootstrapOptions): ModuleFactory {
  return async (ctx: ModuleContext): Promise<CoreModule> => {
    const log = ctx.log.child({ module: 'bootstrap' });
    const status: BootstrapStatus = { ran: false, durationMs: 0, plugins: null, projectId: null, templateId: null, localAgent: null };
    ctx.registry.set('bootstrap', status);
    let server: Server | undefined;
    let agent: LocalAgent | undefined;

    const run = async (): Promise<void> => {
      const started = Date.now();
      const admins = (await ctx.auth.listUsers()).filter((u) => u.isAdmin && !u.disabled);
      const admin = admins.find((u) => u.username === 'admin') ?? admins[0];
      if (!admin) {
        log.warn('bootstrap: no enabled administrator; skipped');
        return;
      }
      const caller: Caller = { userId: admin.id, username: admin.username, isAdmin: true };

      const link = await (ctx.registry.get('registry:link') as () => Promise<RegistryLink | undefined>)();
      const plugins = ctx.registry.get('plugins') as PluginService;
      if (link) {
        try {
          status.plugins = await ensureStandardPlugins({
            pluginsDir: options.pluginsDir, link, orgKey: await ensureOpsloomKey(ctx.config.dataDir, new TrustStore(ctx.db)),
            auth: ctx.auth, plugins, market: ctx.registry.get('marketplace') as MarketplaceService, log,
          });
          if (status.plugins.published.length + status.plugins.installed.length > 0) {
            log.info({ published: status.plugins.published.length, installed: status.plugins.installed.length }, 'bootstrap: standard plugins published and enabled');
          }
        } catch (err) {
          log.error({ err }, 'bootstrap: publishing the standard plugins failed; the demo template may not validate');
        }
      }

      const projectId = await ensureDemoProject(ctx.projects, caller, log);
      status.projectId = projectId;
      const cmdb = ctx.registry.get('cmdb') as CmdbService;
      const moduleId = await ensureDemoTopology(cmdb, projectId);

      if (ctx.config.localAgent && ctx.config.roles.has('agent-gateway') && server) {
        agent = await startLocalAgent({
          coreUrl: ownUrl(server, ctx.config.host), dataDir: ctx.config.dataDir, projectId, createdBy: admin.id,
          hosts: new HostService(new HostStore(ctx.db), new RemovedHostStore(ctx.db)), log,
        });
        status.localAgent = { online: agent.online, agentId: agent.agent.agentId };
        if (agent.online && (await placeLocalHost(cmdb, projectId, moduleId, LOCAL_AGENT_IP))) log.info('bootstrap: local host placed in web/app');
      }

      const missing = [];
      for (const name of RELEASE_TEMPLATE_PLUGINS) if ((await plugins.resolve(name, '^1.0.0')) === undefined) missing.push(name);
      if (missing.length > 0) {
        log.warn({ missing }, 'bootstrap: the demo template needs standard plugins that are not installed; not created');
      } else {
        const flow = ctx.registry.get('flow') as { templates: TemplateService };
        status.templateId = await ensureReleaseTemplate({ templates: flow.templates, store: new TemplateStore(ctx.db) }, projectId, admin.username, log);
      }
      status.ran = true;
      status.durationMs = Date.now() - started;
      log.info({ ms: status.durationMs }, 'bootstrap: done');
    };

    const active = options.enabled && ctx.config.registryEmbedded;
    return {
      name: 'bootstrap',
      routes: [],
      attach(s) { server = s; },
      async start() {
        if (active) await run();
      },
      async close() {
        await agent?.stop();
      },
    };
  };
}

/** The URL this process answers on, as seen from the machine itself. */
function ownUrl(server: Server, host: string): string {
  const port = (server.address() as AddressInfo).port;
  const local = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return `http://${local.includes(':') ? `[${local}]` : local}:${port}`;
}

/** The bootstrap module with settings from the environment (see {@link compileBootstrapOptions}). */
export const bootstrapModule: ModuleFactory = (ctx) => createBootstrapModule(compileBootstrapOptions())(ctx);
