/**
 * Helpers for tests of the runtime and of plugins: build a {@link PluginPackage} from source
 * without a package.json on disk. Not for production use.
 */
import type { InvocationContext, PluginPackage } from '../interface.js';
import type { PluginManifest } from '../manifest/index.js';

let counter = 0;

/** A manifest with permissive schemas; override what the test is about. */
export function testManifest(overrides: Partial<PluginManifest> = {}): PluginManifest {
  return {
    title: 'Test plugin',
    category: 'test',
    runtime: 'isolate',
    entry: 'dist/plugin.js',
    inputs: { type: 'object' },
    outputs: { type: 'object' },
    mode: 'sync',
    capabilities: [],
    limits: { memoryMb: 32, timeoutMs: 2000 },
    ...overrides,
  };
}

/**
 * An isolate plugin whose bundle defines `__opsloomPlugin` from `body`, an object literal source:
 * @example isolatePlugin('{ execute(inputs) { return { n: inputs.n + 1 }; } }')
 */
export function isolatePlugin(body: string, overrides: Partial<PluginManifest> = {}, name = `@test/p${++counter}`): PluginPackage {
  return { name, version: '1.0.0', manifest: testManifest(overrides), code: `var __opsloomPlugin = definePlugin(${body});` };
}

/** A wasm plugin package from module bytes. */
export function wasmPlugin(bytes: Uint8Array, overrides: Partial<PluginManifest> = {}, name = `@test/w${++counter}`): PluginPackage {
  return { name, version: '1.0.0', manifest: testManifest({ runtime: 'wasm', entry: 'plugin.wasm', ...overrides }), code: bytes };
}

/** A task-node context for tests. */
export function testContext(overrides: Partial<InvocationContext> = {}): InvocationContext {
  return { taskId: 't1', nodeId: 'n1', projectId: 'p1', attempt: 1, ...overrides };
}
