/**
 * `@opsloom/plugin-runtime`: sandboxed plugin execution (isolated-vm isolates and Extism wasm)
 * in a supervised pool of sandbox processes, behind a capability-gated host API.
 * The manifest contract is on the dependency-free subpath `@opsloom/plugin-runtime/manifest`.
 */
export type {
  PluginPackage, PluginCall, InvocationContext, InvokeRequest, InvokeResult, LogLine,
  HostCallContext, HostServices, EffectiveLimits,
} from './interface.js';
export { PluginRuntime, type RuntimeStats } from './runtime.js';
export { compileRuntimeOptions, type RuntimeOptions, type CompiledRuntimeOptions } from './options.js';
export { ErrorCode, PluginRuntimeError, type ErrorCodeValue } from './errors.js';
export type { PluginHttpRequest, PluginHttpResponse } from './host/http-fetch.js';
export { checkWasmModule, memoryLimits, WASM_HOST_MODULE, WASM_HOST_FUNCTION } from './sandbox/wasm-module-check.js';
export * from './manifest/index.js';
