import { MAX_TARBALL_BYTES, readBounded, readPackument, RegistryError, RegistryErrorCode, requestToken, tarballOnRegistry, tarballUrlOf, type Packument, type RegistryHandle, type RemoteSource } from '@opsloom/plugin-registry';
import { READER_USERNAME, type ReaderIdentity } from './reader-identity.js';

/**
 * How core reaches the plugin registry: the Verdaccio it embeds, or a shared one started with
 * `opsloom registry` (whose URL the shared database holds). Reads go through core's read-only
 * {@link ReaderIdentity}.
 */
export interface RegistryLink {
  readonly mode: 'embedded' | 'shared';
  /** Base URL with a trailing slash. */
  readonly url: string;
  /** An npm bearer token of the reader identity (cached; renewed hourly). */
  token(): Promise<string>;
  /** The packument as clients see it (remote packages proxied), or undefined when unknown. */
  packument(name: string): Promise<Packument | undefined>;
  /** Pulls a remote package's metadata and tarballs into this registry's cache. */
  warm(name: string, versions?: string[]): Promise<void>;
  /** Makes the remote sources the registry's uplinks (a shared registry picks them up itself). */
  applyUplinks(sources: RemoteSource[]): Promise<void>;
}

const TOKEN_TTL_MS = 60 * 60 * 1000;

class ReaderToken {
  private cached: { token: string; until: number } | undefined;
  constructor(private readonly url: string, private readonly reader: ReaderIdentity) {}

  async get(): Promise<string> {
    if (this.cached && this.cached.until > Date.now()) return this.cached.token;
    const token = await requestToken(this.url, READER_USERNAME, this.reader.secret);
    this.cached = { token, until: Date.now() + TOKEN_TTL_MS };
    return token;
  }
}

/** The link to the Verdaccio this process runs. */
export function embeddedLink(handle: RegistryHandle, reader: ReaderIdentity): RegistryLink {
  const tokens = new ReaderToken(handle.url, reader);
  return {
    mode: 'embedded',
    url: handle.url,
    token: () => tokens.get(),
    packument: (name) => handle.getPackument(name),
    async warm(name, versions) { await handle.warmPackage(name, versions); },
    applyUplinks: (sources) => handle.setUplinks(sources),
  };
}

/** The link to a registry another process runs (`opsloom registry`). */
export function sharedLink(url: string, reader: ReaderIdentity): RegistryLink {
  const base = url.endsWith('/') ? url : `${url}/`;
  const tokens = new ReaderToken(base, reader);
  const get = async (target: URL, accept: string): Promise<Response> => {
    try {
      return await fetch(target, { headers: { accept, authorization: `Bearer ${await tokens.get()}` } });
    } catch (err) {
      throw new RegistryError(RegistryErrorCode.RequestFailed, `cannot reach the shared registry at ${base}: ${(err as Error).message}`);
    }
  };
  const packument = async (name: string): Promise<Packument | undefined> => {
    const res = await get(new URL(name.replace('/', '%2f'), base), 'application/json');
    if (res.status === 404) return undefined;
    if (!res.ok) throw new RegistryError(RegistryErrorCode.RequestFailed, `the shared registry answered ${res.status} for ${name}`);
    return readPackument<Packument>(res, name);
  };
  return {
    mode: 'shared',
    url: base,
    token: () => tokens.get(),
    packument,
    async warm(name, versions) {
      const p = await packument(name);
      if (!p) throw new RegistryError(RegistryErrorCode.NotFound, `${name} is not available from the shared registry or its remote sources`);
      for (const v of versions ?? Object.keys(p.versions)) {
        const tarball = (p.versions[v]?.dist as { tarball?: unknown } | undefined)?.tarball;
        if (typeof tarball !== 'string') continue;
        // Reading the tarball through the registry is what makes Verdaccio cache it.
        const res = await get(tarballOnRegistry(tarballUrlOf(name, v, tarball, RegistryErrorCode.CacheWarmFailed), base), 'application/octet-stream');
        await readBounded(res, MAX_TARBALL_BYTES, `tarball of ${name}@${v}`);
        if (!res.ok) throw new RegistryError(RegistryErrorCode.CacheWarmFailed, `the shared registry answered ${res.status} for the tarball of ${name}@${v}`);
      }
    },
    async applyUplinks() { /* the standalone registry syncs its uplinks from the database */ },
  };
}
