/**
 * Stable error codes of the plugin registry. Core maps them to problem+json responses and audit
 * entries; operators search logs for them, so never rename one.
 */
export const RegistryErrorCode = {
  /** Options given to {@link startRegistry} or a remote source are unusable. */
  ConfigInvalid: 'REGISTRY_CONFIG_INVALID',
  /** The embedded Verdaccio failed to start or to restart. */
  StartFailed: 'REGISTRY_START_FAILED',
  /** The registry answered a request with an unexpected status. */
  RequestFailed: 'REGISTRY_REQUEST_FAILED',
  /** The package or version does not exist in the registry. */
  NotFound: 'REGISTRY_NOT_FOUND',
  /** A login was refused (unknown user or wrong password). */
  LoginRefused: 'REGISTRY_LOGIN_REFUSED',
  /** The downloaded tarball does not match the packument's `dist.integrity`. */
  IntegrityMismatch: 'PLUGIN_INTEGRITY_MISMATCH',
  /** The signature does not verify with any trusted key of its organisation. */
  SignatureInvalid: 'PLUGIN_SIGNATURE_INVALID',
  /** The signing organisation has no trusted key and no approval was given. */
  UntrustedOrganisation: 'PLUGIN_UNTRUSTED_ORG',
  /** The package carries no signature and no approval was given. */
  Unsigned: 'PLUGIN_UNSIGNED',
  /** The `opsloom.plugin` manifest differs from the one that was signed (or from the packument). */
  ManifestChanged: 'PLUGIN_MANIFEST_CHANGED',
  /** A file of the package differs from what was signed. */
  ContentChanged: 'PLUGIN_CONTENT_CHANGED',
  /** The tarball holds a path escaping the package, a link, a device, or too much data. */
  UnsafeArchive: 'PLUGIN_UNSAFE_ARCHIVE',
  /** The package is not a valid Opsloom plugin package. */
  NotAPlugin: 'PLUGIN_NOT_A_PLUGIN',
  /** Signing failed (npm pack failed, bad key, unreadable package.json). */
  SigningFailed: 'PLUGIN_SIGNING_FAILED',
  /** A remote package could not be cached by this registry. */
  CacheWarmFailed: 'REGISTRY_CACHE_WARM_FAILED',
} as const;

/** One of {@link RegistryErrorCode}'s values. */
export type RegistryErrorCodeValue = (typeof RegistryErrorCode)[keyof typeof RegistryErrorCode];

/**
 * The one error type this package throws. `code` is stable; `details` carries typed facts for logs.
 * @example
 * try { await installVerified(opts) } catch (e) {
 *   if (e instanceof RegistryError && e.code === RegistryErrorCode.IntegrityMismatch) audit(e);
 * }
 */
export class RegistryError extends Error {
  constructor(
    readonly code: RegistryErrorCodeValue,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'RegistryError';
  }

  /** The plain form for logs and API problem documents. */
  toJSON(): { code: string; message: string; details: Record<string, unknown> } {
    return { code: this.code, message: this.message, details: this.details };
  }
}
