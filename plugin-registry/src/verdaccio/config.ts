import { join } from 'node:path';
import type { RemoteSource } from '../remote-source.js';
import { OPSLOOM_USER_GROUP, SERVICE_GROUP } from './auth-plugin.js';
import { AUTH_PLUGIN_ID, GATE_PLUGIN_ID } from './plugin-shim.js';

/** Inputs of {@link buildVerdaccioConfig}, already validated. */
export interface VerdaccioConfigInput {
  instance: string;
  dataDir: string;
  storageDir: string;
  pluginsDir: string;
  remoteSources: readonly RemoteSource[];
  tokenTtl: string;
  maxBodyBytes: number;
  logLevel: string;
}

// No Opsloom user is in this group, so imported scopes are read-only here.
const NOBODY = 'opsloom-nobody';

/**
 * The Verdaccio configuration object for one embedded instance: storage and plugins under the
 * data directory, our auth plugin and publish gate, JWT tokens (no per-request password check),
 * web UI and audit off, quiet logs; every read needs an Opsloom login; each remote source
 * becomes an uplink with caching plus a `packages` entry per scope that proxies to it.
 */
export function buildVerdaccioConfig(input: VerdaccioConfigInput): Record<string, unknown> {
  const readers = [OPSLOOM_USER_GROUP, SERVICE_GROUP];
  const uplinks: Record<string, unknown> = {};
  const packages: Record<string, unknown> = {};
  for (const source of input.remoteSources) {
    uplinks[source.name] = {
      url: source.url,
      cache: true,
      timeout: `${source.timeoutSeconds ?? 10}s`,
      maxage: `${source.maxAgeSeconds ?? 120}s`,
      max_fails: 2,
      fail_timeout: '30s',
      ...(source.token ? { auth: { type: 'bearer', token: source.token } } : {}),
    };
    for (const scope of source.scopes) {
      packages[`${scope}/*`] = { access: readers, publish: [NOBODY], unpublish: [NOBODY], proxy: [source.name] };
    }
  }
  packages['@*/*'] = { access: readers, publish: [OPSLOOM_USER_GROUP] };
  packages['**'] = { access: readers, publish: [OPSLOOM_USER_GROUP] };

  const configPath = join(input.dataDir, 'verdaccio.yaml');
  return {
    self_path: configPath,
    configPath,
    storage: input.storageDir,
    plugins: input.pluginsDir,
    auth: { [AUTH_PLUGIN_ID]: { instance: input.instance } },
    middlewares: { audit: { enabled: false }, [GATE_PLUGIN_ID]: { instance: input.instance } },
    security: { api: { legacy: false, jwt: { sign: { expiresIn: input.tokenTtl } } }, web: { sign: { expiresIn: '1h' } } },
    uplinks,
    packages,
    web: { enable: false },
    publish: { allow_offline: false },
    max_body_size: `${Math.ceil(input.maxBodyBytes / 1024)}kb`,
    userRateLimit: { windowMs: 60_000, max: 10_000 },
    log: { type: 'stdout', format: 'json', level: input.logLevel },
  };
}
