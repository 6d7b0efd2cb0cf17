import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PluginRuntime, validateManifest, type HostServices, type InvokeRequest, type InvokeResult, type PluginPackage } from '@opsloom/plugin-runtime';
import { buildPlugin } from './build.js';

/** A built plugin loaded into a real sandbox runtime, for a plugin's own node:test tests. */
export interface PluginHarness {
  plugin: PluginPackage;
  runtime: PluginRuntime;
  /** Calls the plugin (`execute` unless the request says otherwise) with scripted host services. */
  invoke(request: Partial<InvokeRequest>, services?: HostServices): Promise<InvokeResult>;
  close(): Promise<void>;
}

/**
 * Builds the plugin in `dir` from its current source (exactly as `opsloom-plugin build` does),
 * loads it and starts a one-process sandbox runtime.
 * @example
 * const h = await loadPluginHarness(fileURLToPath(new URL('../..', import.meta.url)));
 * const r = await h.invoke({ inputs: { name: 'Ann' } }, {});
 */
export async function loadPluginHarness(dir: string, options: { build?: boolean } = {}): Promise<PluginHarness> {
  if (options.build !== false) await buildPlugin(dir);
  const checked = validateManifest(JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')));
  if (!checked.ok) throw new Error(`invalid manifest: ${checked.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`);
  const bytes = await readFile(join(dir, checked.manifest.entry));
  const plugin: PluginPackage = {
    name: checked.name, version: checked.version, manifest: checked.manifest,
    code: checked.manifest.runtime === 'wasm' ? new Uint8Array(bytes) : bytes.toString('utf8'),
  };
  const runtime = new PluginRuntime({ poolSize: 1 });
  return {
    plugin, runtime,
    invoke: (request, services = {}) => runtime.invoke({
      plugin, call: 'execute', inputs: {}, context: { taskId: 't1', nodeId: 'n1', projectId: 'p1', attempt: 1 },
      approvedCapabilities: plugin.manifest.capabilities, ...request,
    }, services),
    close: () => runtime.close(),
  };
}
