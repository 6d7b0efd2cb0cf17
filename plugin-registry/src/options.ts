import { RegistryError, RegistryErrorCode } from './errors.js';
import { validateRemoteSources, type RemoteSource } from './remote-source.js';
import type { TarballLimits } from './trust/tarball.js';
import type { RegistryAuthDelegate } from './verdaccio/auth-plugin.js';
import type { PublishListener } from './verdaccio/publish-gate.js';

/** Minimal logger (pino-compatible) for failures inside registry callbacks. */
export interface RegistryLogger {
  error(obj: object, msg: string): void;
}

/** Options of {@link startRegistry}. */
export interface RegistryOptions extends RegistryAuthDelegate {
  /** Folder for storage, generated plugins and Verdaccio's files, e.g. `<OPSLOOM_DATA_DIR>/registry`. */
  dataDir: string;
  /**
   * Port to listen on; 0 picks a free one (read it back from `handle.port`).
   * @default 4873
   */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
  /** Called after each version is stored (core indexes the catalog from it). Errors are logged. */
  onPublish?: PublishListener;
  /** Other organisations' registries to proxy and cache. */
  remoteSources?: RemoteSource[];
  /**
   * Lifetime of npm tokens handed out at login (Verdaccio JWT `expiresIn`). Publishing asks
   * `allowPublish` every time, so a revoked user cannot publish even with a live token.
   * @default '7d'
   */
  tokenTtl?: string;
  /**
   * Largest package tarball accepted at publish, in bytes.
   * @default 50 MiB
   */
  maxPackageBytes?: number;
  /** Limits applied when reading published tarballs. */
  tarballLimits?: TarballLimits;
  /**
   * Verdaccio's own log level (it logs JSON to stdout).
   * @default 'error'
   */
  logLevel?: 'fatal' | 'error' | 'warn' | 'info' | 'http' | 'debug' | 'trace';
  /** Where callback failures are reported. @default console */
  logger?: RegistryLogger;
}

/** {@link RegistryOptions} with defaults applied and values checked. */
export interface CompiledRegistryOptions extends RegistryAuthDelegate {
  dataDir: string;
  port: number;
  host: string;
  onPublish: PublishListener | undefined;
  remoteSources: RemoteSource[];
  tokenTtl: string;
  maxBodyBytes: number;
  tarballLimits: TarballLimits;
  logLevel: string;
  logger: RegistryLogger;
}

const consoleLogger: RegistryLogger = { error: (obj, msg) => console.error(msg, obj) };

/** Applies defaults and throws `REGISTRY_CONFIG_INVALID` on unusable options, at start rather than per request. */
export function compileRegistryOptions(options: RegistryOptions): CompiledRegistryOptions {
  const bad = (message: string): RegistryError => new RegistryError(RegistryErrorCode.ConfigInvalid, message);
  if (typeof options.dataDir !== 'string' || options.dataDir === '') throw bad('dataDir is required');
  if (typeof options.authenticate !== 'function' || typeof options.allowPublish !== 'function') {
    throw bad('authenticate and allowPublish callbacks are required: the registry has no users of its own');
  }
  const port = options.port ?? 4873;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw bad(`port ${String(port)} must be 0..65535`);
  const tokenTtl = options.tokenTtl ?? '7d';
  if (!/^\d+(s|m|h|d)$/.test(tokenTtl)) throw bad(`tokenTtl "${tokenTtl}" must look like 30m, 12h or 7d`);
  const maxPackageBytes = options.maxPackageBytes ?? 50 * 1024 * 1024;
  if (!Number.isInteger(maxPackageBytes) || maxPackageBytes < 1024) throw bad('maxPackageBytes must be a whole number of bytes, at least 1024');
  return {
    dataDir: options.dataDir,
    port,
    host: options.host ?? '127.0.0.1',
    authenticate: options.authenticate.bind(options),
    allowPublish: options.allowPublish.bind(options),
    onPublish: options.onPublish,
    remoteSources: validateRemoteSources(options.remoteSources ?? []),
    tokenTtl,
    // base64 grows the tarball by 4/3; leave room for the metadata beside it.
    maxBodyBytes: Math.ceil(maxPackageBytes * 4 / 3) + 1024 * 1024,
    tarballLimits: options.tarballLimits ?? {},
    logLevel: options.logLevel ?? 'error',
    logger: options.logger ?? consoleLogger,
  };
}
