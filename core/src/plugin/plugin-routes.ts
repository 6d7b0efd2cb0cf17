import { z } from 'zod';
import { route, type Route } from '../http/route.js';
import { iso } from '../http/schemas.js';
import type { InstalledPlugin } from './plugin-store.js';
import type { PluginService } from './plugin-service.js';

const ref = z.object({ name: z.string().min(1).max(214), version: z.string().min(1).max(64) });
export const pluginView = (p: InstalledPlugin) => ({
  name: p.name, version: p.version, status: p.status, runtime: p.runtime, title: p.title, category: p.category, description: p.description,
  mode: p.manifest.mode, capabilities: p.manifest.capabilities, approvedCapabilities: p.approvedCapabilities, approvedBy: p.approvedBy,
  approvedAt: iso(p.approvedAt), integrity: p.integrity, inputs: p.manifest.inputs, outputs: p.manifest.outputs, limits: p.manifest.limits, org: p.org, claimedOrg: p.claimedOrg,
  signatureState: p.signatureState, source: p.source, installedAt: iso(p.installedAt),
});

/** Installed plugins: list (the editor's palette), detail, status and capability approval. */
export function pluginRoutes(plugins: PluginService): Route[] {
  return [
    route({
      id: 'plugin.list', method: 'get', path: '/api/v1/plugins', tag: 'plugins', auth: 'user', summary: 'Installed plugin versions',
      query: z.object({ status: z.enum(['online', 'offline', 'disabled']).optional(), category: z.string().max(64).optional(), search: z.string().max(128).optional() }),
      async handler({ query }) { return { items: (await plugins.list(query)).map(pluginView) }; },
    }),
    route({
      id: 'plugin.get', method: 'get', path: '/api/v1/plugins/:name/versions/:version', tag: 'plugins', auth: 'user', params: ref,
      summary: 'One installed plugin version with its schemas (URL-encode scoped names: %40scope%2Fname)',
      async handler({ params }) { return pluginView(await plugins.get(params.name, params.version)); },
    }),
    route({
      id: 'plugin.status', method: 'post', path: '/api/v1/plugins/:name/versions/:version/status', tag: 'plugins', auth: 'admin', params: ref,
      summary: 'Set a version online, offline (runnable when pinned) or disabled (every task using it is refused)',
      body: z.object({ status: z.enum(['online', 'offline', 'disabled']) }),
      async handler({ params, body, audit }) {
        const p = await plugins.setStatus(params.name, params.version, body.status);
        audit({ kind: 'plugin', id: `${p.name}@${p.version}`, detail: { status: body.status } });
        return pluginView(p);
      },
    }),
    route({
      id: 'plugin.approve', method: 'post', path: '/api/v1/plugins/:name/versions/:version/approve', tag: 'plugins', auth: 'admin', params: ref,
      summary: 'Approve the capabilities this version declares; integrity names the contents reviewed, and a version reinstalled since is refused (409)',
      body: z.object({ integrity: z.string().min(1).max(512) }),
      async handler({ params, body, caller, audit }) {
        const p = await plugins.approve(params.name, params.version, body.integrity, caller.username);
        audit({ kind: 'plugin', id: `${p.name}@${p.version}`, detail: { integrity: p.integrity, capabilities: p.approvedCapabilities } });
        return pluginView(p);
      },
    }),
  ];
}
