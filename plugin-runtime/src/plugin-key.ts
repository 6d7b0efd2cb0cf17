import { createHash } from 'node:crypto';
import type { PluginPackage } from './interface.js';

const known = new Map<string, { code: string | Uint8Array; key: string }>();

/**
 * The cache key of a plugin version: `name@version#digest`. The digest makes a changed bundle
 * under the same version (a local rebuild) a different key; it is computed once per code object.
 */
export function pluginKey(plugin: Pick<PluginPackage, 'name' | 'version' | 'code'>): string {
  const id = `${plugin.name}@${plugin.version}`;
  const cached = known.get(id);
  if (cached && cached.code === plugin.code) return cached.key;
  const digest = createHash('sha256').update(plugin.code).digest('hex').slice(0, 16);
  const key = `${id}#${digest}`;
  known.set(id, { code: plugin.code, key });
  return key;
}
