import { join } from 'node:path';
import { PluginRuntime, type HostServices } from '@opsloom/plugin-runtime';
import type { ModuleFactory } from '../module.js';
import { PluginStore } from './plugin-store.js';
import { PluginService } from './plugin-service.js';
import { pluginRoutes } from './plugin-routes.js';

/**
 * Host services other modules offer to plugins register under keys `host-services:<domain>`;
 * each call merges them, so a module added later (jobs, CMDB, notify, secrets) is picked up.
 */
export const HOST_SERVICES_PREFIX = 'host-services:';

/** Announces `name@version` of an installed version that changed (status, approval, reinstall). */
const PLUGIN_CHANGES = 'plugins:changed';

/** The plugin domain: installed versions, approvals, and the sandboxed runtime that runs them. */
export const pluginModule: ModuleFactory = async (ctx) => {
  const runtime = new PluginRuntime({});
  const hostServices = (): HostServices => {
    const merged: HostServices = {};
    for (const [key, value] of ctx.registry) if (key.startsWith(HOST_SERVICES_PREFIX)) Object.assign(merged, value);
    return merged;
  };
  const service = new PluginService(new PluginStore(ctx.db), runtime, join(ctx.config.dataDir, 'plugin-store'), hostServices);
  ctx.registry.set('plugins', service);
  // Every process caches what its steps read about installed versions; a change made anywhere drops it everywhere.
  service.onChange = (key) => void ctx.coordination.events.publish(PLUGIN_CHANGES, key).catch((err: unknown) => ctx.log.warn({ err }, 'could not announce a plugin change'));
  const unsubscribe = await ctx.coordination.events.subscribe(PLUGIN_CHANGES, (key) => service.forget(String(key)));
  return {
    name: 'plugins',
    routes: pluginRoutes(service),
    async close() {
      await unsubscribe();
      await runtime.close();
    },
  };
};
