/**
 * The `opsloom.plugin` block of a plugin's package.json: the contract between a plugin author,
 * the registry, the portal and the runtime. Dependency-free so the portal can import it.
 */

/** A JSON Schema document (draft 2020-12 / draft-07 subset understood by ajv). */
export type JsonSchema = { [keyword: string]: unknown };

/** Where plugin code runs: a V8 isolate (bundled JavaScript) or a WebAssembly module. */
export type PluginRuntimeKind = 'isolate' | 'wasm';

/** How a plugin node completes: at once, by being polled, or by waiting for callbacks. */
export type PluginMode = 'sync' | 'poll' | 'callback';

/** Per-call limits the plugin asks for; the operator's caps are applied on top. */
export interface PluginLimits {
  /** Isolate heap limit, or the largest wasm linear memory the module may declare. */
  memoryMb: number;
  /** Wall time of one call (execute, poll or callback). */
  timeoutMs: number;
  /** Largest JSON-encoded result a call may return. */
  outputBytes?: number;
  /** Host API calls per second allowed for this plugin version. */
  hostCallsPerSecond?: number;
}

/** The validated `opsloom.plugin` block. */
export interface PluginManifest {
  title: string;
  category: string;
  description?: string;
  runtime: PluginRuntimeKind;
  /** Path inside the package of the bundled script (isolate) or module (wasm). */
  entry: string;
  /** JSON Schema of the inputs object. */
  inputs: JsonSchema;
  /** JSON Schema of the outputs object. */
  outputs: JsonSchema;
  mode: PluginMode;
  /** Capability strings, e.g. `http:https://api.example.com`, `secrets.read:db-password`. */
  capabilities: string[];
  limits: PluginLimits;
}

/** One problem found in a package.json, naming the field, e.g. `opsloom.plugin.mode`. */
export interface ManifestError {
  path: string;
  message: string;
}

/** Result of {@link validateManifest}. */
export type ManifestValidation =
  | { ok: true; manifest: PluginManifest; name: string; version: string }
  | { ok: false; errors: ManifestError[] };

/** The npm keyword every plugin package carries, so the registry can find it. */
export const PLUGIN_KEYWORD = 'opsloom-plugin';
