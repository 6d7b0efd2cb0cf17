/**
 * `@opsloom/plugin-runtime/manifest`: the plugin manifest contract, dependency-free.
 * Imported by the portal, the registry and core.
 */
export type { JsonSchema, ManifestError, ManifestValidation, PluginLimits, PluginManifest, PluginMode, PluginRuntimeKind } from './types.js';
export { PLUGIN_KEYWORD } from './types.js';
export { validateManifest, MANIFEST_BOUNDS } from './validate.js';
export type { Capability, CapabilityParse } from './capability.js';
export { parseCapability, capabilityAllows, capabilityString, httpUrlAllowed, SIMPLE_CAPABILITIES } from './capability.js';
