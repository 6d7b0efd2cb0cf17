/**
 * Verdaccio loads its plugins itself, by `require()`-ing a folder, so it cannot be handed our
 * objects directly. Each running registry registers its plugin objects here under a random
 * instance id; the generated shim (see plugin-shim.ts) looks them up by the id found in its
 * Verdaccio config. Same process, no network hop, and nothing secret is written to disk.
 */

/** Callback style Verdaccio uses for plugin methods. */
export type VerdaccioCallback<T> = (err: Error | null, value?: T) => void;

/** The user object Verdaccio passes to permission checks. */
export interface VerdaccioRemoteUser {
  name?: string;
  groups: string[];
  real_groups: string[];
}

/** The package object Verdaccio passes to permission checks (its `packages` config entry merged in). */
export interface VerdaccioPackageAccess {
  name: string;
  version?: string;
  access?: string[];
  publish?: string[];
  proxy?: string[];
}

/** The subset of Verdaccio's auth plugin interface we implement. */
export interface VerdaccioAuthPlugin {
  authenticate(user: string, password: string, cb: VerdaccioCallback<string[] | false>): void;
  adduser(user: string, password: string, cb: VerdaccioCallback<boolean>): void;
  allow_publish(user: VerdaccioRemoteUser, pkg: VerdaccioPackageAccess, cb: VerdaccioCallback<boolean>): void;
}

/** Minimal view of the express app Verdaccio hands to middleware plugins. */
export interface ExpressAppLike {
  use(handler: (req: never, res: never, next: (err?: unknown) => void) => void): unknown;
}

/** Verdaccio's middleware plugin interface. */
export interface VerdaccioMiddlewarePlugin {
  register_middlewares(app: ExpressAppLike, auth: unknown, storage: unknown): void;
}

/** What one registry instance exposes to its shims. */
export interface RegistryBridge {
  auth: VerdaccioAuthPlugin;
  gate: VerdaccioMiddlewarePlugin;
}

const KEY = Symbol.for('@opsloom/plugin-registry/bridges');

function bridges(): Map<string, RegistryBridge> {
  const g = globalThis as unknown as Record<symbol, Map<string, RegistryBridge> | undefined>;
  let map = g[KEY];
  if (!map) {
    map = new Map();
    g[KEY] = map;
  }
  return map;
}

/** Makes an instance's plugin objects findable by its shims. */
export function registerBridge(instance: string, bridge: RegistryBridge): void {
  bridges().set(instance, bridge);
}

/** Forgets an instance (after its server closed). */
export function unregisterBridge(instance: string): void {
  bridges().delete(instance);
}

/** The symbol's description, written into the shim so both sides agree. */
export const BRIDGE_SYMBOL_NAME = KEY.description as string;
