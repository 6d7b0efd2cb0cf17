import { RegistryError, RegistryErrorCode, type RegistryErrorCodeValue } from '@opsloom/plugin-registry';
import { AppError } from '../errors.js';

/** HTTP status per registry error code: refusals of a package are 422, missing approvals 409. */
const STATUS: Record<RegistryErrorCodeValue, number> = {
  [RegistryErrorCode.ConfigInvalid]: 400,
  [RegistryErrorCode.StartFailed]: 503,
  [RegistryErrorCode.RequestFailed]: 502,
  [RegistryErrorCode.NotFound]: 404,
  [RegistryErrorCode.LoginRefused]: 502,
  [RegistryErrorCode.IntegrityMismatch]: 422,
  [RegistryErrorCode.SignatureInvalid]: 422,
  [RegistryErrorCode.UntrustedOrganisation]: 409,
  [RegistryErrorCode.Unsigned]: 409,
  [RegistryErrorCode.ManifestChanged]: 422,
  [RegistryErrorCode.ContentChanged]: 422,
  [RegistryErrorCode.UnsafeArchive]: 422,
  [RegistryErrorCode.NotAPlugin]: 422,
  [RegistryErrorCode.SigningFailed]: 500,
  [RegistryErrorCode.CacheWarmFailed]: 502,
};

/**
 * A {@link RegistryError} as it leaves the API: the registry's stable code in lower case
 * (`plugin_integrity_mismatch`, `plugin_unsigned` …) and its message, which names the package and
 * what to do (pin the organisation's key, or have an administrator approve the version).
 */
export class RegistryProblem extends AppError {
  readonly status: number;
  readonly code: string;
  constructor(err: RegistryError) {
    super(err.message, { registryCode: err.code });
    this.status = STATUS[err.code] ?? 502;
    this.code = err.code.toLowerCase();
  }
}

/** Runs `work`, turning a thrown RegistryError into a {@link RegistryProblem}. */
export async function registryCall<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof RegistryError) throw new RegistryProblem(err);
    throw err;
  }
}
