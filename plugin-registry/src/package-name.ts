import { RegistryError, RegistryErrorCode } from './errors.js';

/** npm package names we accept: lower case, optionally scoped, no path tricks. */
const NPM_NAME = /^(@[a-z0-9][a-z0-9._~-]*\/)?[a-z0-9][a-z0-9._~-]*$/;

/** True when `name` is a valid npm package name (the rules Opsloom plugins follow). */
export function isPackageName(name: unknown): name is string {
  return typeof name === 'string' && name.length <= 214 && NPM_NAME.test(name);
}

/** The scope of a package name (`@orgb` for `@orgb/x`), or undefined for an unscoped name. */
export function scopeOf(name: string): string | undefined {
  return name.startsWith('@') ? name.slice(0, name.indexOf('/')) : undefined;
}

/** The path segment npm uses for a package document: `@scope%2fname` for scoped names. */
export function packagePathSegment(name: string): string {
  return name.startsWith('@') ? `@${encodeURIComponent(name.slice(1))}` : encodeURIComponent(name);
}

const SEMVER = /^\d{1,15}\.\d{1,15}\.\d{1,15}(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;

/**
 * True when `version` is a semver version (`1.2.3`, `1.2.3-rc.1+build`). Version keys come from
 * remote registries' packuments and end up in file names, so nothing else (a `/`) is accepted.
 */
export function isVersion(version: unknown): version is string {
  return typeof version === 'string' && version.length <= 256 && SEMVER.test(version);
}

/** The file name npm gives a version's tarball: `name-1.0.0.tgz` (scope dropped). */
export function tarballFileName(name: string, version: string): string {
  if (!isVersion(version)) throw new RegistryError(RegistryErrorCode.NotFound, `"${version}" is not a semver version`, { name, version });
  const base = name.startsWith('@') ? name.slice(name.indexOf('/') + 1) : name;
  return `${base}-${version}.tgz`;
}
