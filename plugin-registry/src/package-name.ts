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

/** The file name npm gives a version's tarball: `name-1.0.0.tgz` (scope dropped). */
export function tarballFileName(name: string, version: string): string {
  const base = name.startsWith('@') ? name.slice(name.indexOf('/') + 1) : name;
  return `${base}-${version}.tgz`;
}
