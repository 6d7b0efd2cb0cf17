/**
 * Error codes a failed call carries. Stable: core maps them to node failures and operators search them.
 */
export const ErrorCode = {
  InputInvalid: 'INPUT_INVALID',
  OutputInvalid: 'OUTPUT_INVALID',
  OutputTooLarge: 'OUTPUT_TOO_LARGE',
  Timeout: 'TIMEOUT',
  MemoryLimit: 'MEMORY_LIMIT',
  Aborted: 'ABORTED',
  PluginError: 'PLUGIN_ERROR',
  PluginInvalid: 'PLUGIN_INVALID',
  ModeMismatch: 'MODE_MISMATCH',
  CapabilityDenied: 'CAPABILITY_DENIED',
  HostServiceUnavailable: 'HOST_SERVICE_UNAVAILABLE',
  HostServiceFailed: 'HOST_SERVICE_FAILED',
  RateLimited: 'HOST_RATE_LIMITED',
  /** A host call's arguments are over the size the guest bootstrap lets cross (1 MiB of JSON). */
  HostCallTooLarge: 'HOST_CALL_TOO_LARGE',
  HttpFailed: 'HTTP_FAILED',
  WasmRefused: 'WASM_REFUSED',
  SandboxCrashed: 'SANDBOX_CRASHED',
  RuntimeClosed: 'RUNTIME_CLOSED',
} as const;

/** One of {@link ErrorCode}'s values. */
export type ErrorCodeValue = (typeof ErrorCode)[keyof typeof ErrorCode];

/**
 * An error with a stable code, thrown inside the runtime and turned into a `failed` result.
 * @example throw new PluginRuntimeError('CAPABILITY_DENIED', 'plugin did not declare "cmdb.read"')
 */
export class PluginRuntimeError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'PluginRuntimeError';
  }

  /** The plain form that crosses process and isolate boundaries. */
  toJSON(): { code: string; message: string } {
    return { code: this.code, message: this.message };
  }
}

/** Reads `{code, message}` from anything thrown, defaulting the code. */
export function toCoded(err: unknown, fallback: string = ErrorCode.PluginError): { code: string; message: string } {
  if (err instanceof PluginRuntimeError) return err.toJSON();
  if (typeof err === 'object' && err !== null) {
    const { code, message } = err as { code?: unknown; message?: unknown };
    return {
      code: typeof code === 'string' && /^[A-Z][A-Z0-9_]{1,40}$/.test(code) ? code : fallback,
      message: typeof message === 'string' ? message.slice(0, 2000) : String(err).slice(0, 2000),
    };
  }
  return { code: fallback, message: String(err).slice(0, 2000) };
}
