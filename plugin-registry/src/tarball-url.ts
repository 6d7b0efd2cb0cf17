import { RegistryError, type RegistryErrorCodeValue } from './errors.js';

/**
 * The URL a packument gives for a version's tarball (`dist.tarball`), which must be an absolute
 * http(s) URL; anything else is refused with a {@link RegistryError} of `code` naming the version.
 * Which origin it may name is the caller's rule: the installer refuses another origin than its
 * registry's, a cache warm only reads the path through the linked registry.
 *
 * A relative URL is refused, not resolved, because npm does not resolve one either: it reads
 * `dist.tarball` as a package spec, so `-/x.tgz` becomes a GitHub shorthand and `/x.tgz` a local
 * file (npm 11). Such a packument is broken for every client, and Verdaccio answers 500 for it.
 * @example
 * const url = tarballUrlOf('@orgb/ping', '1.0.0', dist.tarball, RegistryErrorCode.CacheWarmFailed);
 */
export function tarballUrlOf(name: string, version: string, tarball: string, code: RegistryErrorCodeValue): URL {
  const url = URL.canParse(tarball) ? new URL(tarball) : undefined;
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    const shown = tarball.slice(0, 200);
    throw new RegistryError(code, `${name}@${version} gives its tarball as ${JSON.stringify(shown)}, which is not an absolute http(s) URL; npm cannot install it either, so its registry must publish an absolute dist.tarball`, { name, version, tarball: shown });
  }
  return url;
}

/**
 * The tarball's path on the linked registry, where a cache warm reads it whatever origin the
 * packument names. The path is set rather than resolved: resolved, `http://x//evil.example/a.tgz`
 * would give the protocol-relative `//evil.example/a.tgz`, on another host.
 * @example tarballOnRegistry(new URL('https://cdn.example/@orgb/ping/-/ping-1.0.0.tgz'), 'http://127.0.0.1:4873/')
 * // → http://127.0.0.1:4873/@orgb/ping/-/ping-1.0.0.tgz
 */
export function tarballOnRegistry(tarball: URL, registryUrl: string): URL {
  const url = new URL(registryUrl);
  url.pathname = tarball.pathname;
  url.search = '';
  url.hash = '';
  return url;
}
