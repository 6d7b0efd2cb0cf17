import { RegistryError, RegistryErrorCode } from './errors.js';

/**
 * Another organisation's registry, imported as a Verdaccio uplink: packages in `scopes` are
 * proxied from `url` and cached here, so they keep installing while the remote is down.
 * @example { name: 'orgb', url: 'https://registry.orgb.example/', token: secret, scopes: ['@orgb'] }
 */
export interface RemoteSource {
  /** Uplink name: lower case letters, digits, `-`, `_`. */
  name: string;
  /** Base URL of the remote registry (http or https). */
  url: string;
  /** Bearer token for the remote registry (kept by core as a secret). */
  token?: string;
  /** npm scopes served by this source, e.g. `['@orgb']`. Local publishing into them is refused. */
  scopes: string[];
  /**
   * How long a fetched packument is trusted before the remote is asked again.
   * @default 120
   */
  maxAgeSeconds?: number;
  /**
   * Remote request timeout.
   * @default 10
   */
  timeoutSeconds?: number;
}

const SOURCE_NAME = /^[a-z0-9][a-z0-9_-]{0,63}$/;
const SCOPE = /^@[a-z0-9][a-z0-9._~-]*$/;

function invalid(message: string): RegistryError {
  return new RegistryError(RegistryErrorCode.ConfigInvalid, message);
}

/** Validates a list of remote sources; throws `REGISTRY_CONFIG_INVALID` naming the bad field. */
export function validateRemoteSources(sources: readonly RemoteSource[]): RemoteSource[] {
  const names = new Set<string>();
  const scopes = new Map<string, string>();
  return sources.map((s, i) => {
    const at = `remote source #${i + 1}`;
    if (typeof s.name !== 'string' || !SOURCE_NAME.test(s.name)) throw invalid(`${at}: name must be lower case letters, digits, "-" or "_"`);
    if (names.has(s.name)) throw invalid(`${at}: name "${s.name}" is used twice`);
    names.add(s.name);
    let url: URL;
    try {
      url = new URL(s.url);
    } catch {
      throw invalid(`remote source ${s.name}: url "${s.url}" is not a URL`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalid(`remote source ${s.name}: url must be http or https`);
    if (!Array.isArray(s.scopes) || s.scopes.length === 0) throw invalid(`remote source ${s.name}: scopes must list at least one scope like "@orgb"`);
    for (const scope of s.scopes) {
      if (typeof scope !== 'string' || !SCOPE.test(scope)) throw invalid(`remote source ${s.name}: scope "${String(scope)}" must look like "@orgb"`);
      const owner = scopes.get(scope);
      if (owner) throw invalid(`remote source ${s.name}: scope ${scope} is already served by ${owner}`);
      scopes.set(scope, s.name);
    }
    if (s.token !== undefined && (typeof s.token !== 'string' || s.token === '')) throw invalid(`remote source ${s.name}: token must be a non-empty string`);
    for (const key of ['maxAgeSeconds', 'timeoutSeconds'] as const) {
      const v = s[key];
      if (v !== undefined && (!Number.isInteger(v) || v < 0 || v > 86_400)) throw invalid(`remote source ${s.name}: ${key} must be a whole number of seconds up to 86400`);
    }
    const href = url.href.endsWith('/') ? url.href : `${url.href}/`;
    return { ...s, url: href, scopes: [...s.scopes] };
  });
}
