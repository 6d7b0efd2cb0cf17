import { parseCapability } from './capability.js';
import { PLUGIN_KEYWORD } from './types.js';
import type { JsonSchema, ManifestError, ManifestValidation, PluginLimits, PluginManifest } from './types.js';

/** Bounds the manifest itself accepts; the operator's caps are applied by the runtime. */
export const MANIFEST_BOUNDS = {
  memoryMb: { min: 8, max: 4096 },
  timeoutMs: { min: 1, max: 24 * 60 * 60 * 1000 },
  outputBytes: { min: 1, max: 64 * 1024 * 1024 },
  hostCallsPerSecond: { min: 1, max: 100_000 },
} as const;

/** Longest capability: the marketplace indexes each in a column of 191 characters (a MySQL key's limit). */
const CAPABILITY_MAX_CHARS = 191;

const PLUGIN_FIELDS = new Set(['title', 'category', 'description', 'runtime', 'entry', 'inputs', 'outputs', 'mode', 'capabilities', 'limits']);
const LIMIT_FIELDS = new Set(['memoryMb', 'timeoutMs', 'outputBytes', 'hostCallsPerSecond']);
const NPM_NAME = /^(@[a-z0-9][a-z0-9._~-]*\/)?[a-z0-9][a-z0-9._~-]*$/;
const SEMVER = /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;
const BLOCK = 'opsloom.plugin';

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Validates a plugin package.json (its name, version, keywords and `opsloom.plugin` block).
 * Every problem is reported with the path of the field it concerns.
 * @example
 * const r = validateManifest(JSON.parse(readFileSync('package.json', 'utf8')));
 * if (!r.ok) console.error(r.errors.map((e) => `${e.path}: ${e.message}`).join('\n'));
 */
export function validateManifest(pkgJson: unknown): ManifestValidation {
  const errors: ManifestError[] = [];
  const fail = (path: string, message: string): void => {
    errors.push({ path, message });
  };
  if (!isRecord(pkgJson)) return { ok: false, errors: [{ path: '', message: 'package.json must be a JSON object' }] };

  const { name, version, keywords, opsloom } = pkgJson;
  if (typeof name !== 'string' || name.length > 214 || !NPM_NAME.test(name)) fail('name', 'must be a lower-case npm package name');
  if (typeof version !== 'string' || !SEMVER.test(version)) fail('version', 'must be a semantic version like 1.2.3');
  if (!Array.isArray(keywords) || !keywords.includes(PLUGIN_KEYWORD)) fail('keywords', `must include "${PLUGIN_KEYWORD}"`);
  const block = isRecord(opsloom) ? opsloom.plugin : undefined;
  if (!isRecord(block)) {
    fail(BLOCK, 'is missing: add an "opsloom": {"plugin": {...}} block');
    return { ok: false, errors };
  }

  for (const key of Object.keys(block)) if (!PLUGIN_FIELDS.has(key)) fail(`${BLOCK}.${key}`, 'unknown field');
  const text = (key: string, max: number, optional = false): string | undefined => {
    const v = block[key];
    if (v === undefined && optional) return undefined;
    if (typeof v !== 'string' || v.trim() === '') fail(`${BLOCK}.${key}`, 'must be a non-empty string');
    else if (v.length > max) fail(`${BLOCK}.${key}`, `must be at most ${max} characters`);
    else return v;
    return undefined;
  };
  const title = text('title', 100);
  const category = text('category', 50);
  const description = text('description', 2000, true);

  const runtime = block.runtime;
  if (runtime !== 'isolate' && runtime !== 'wasm') fail(`${BLOCK}.runtime`, 'must be "isolate" or "wasm"');
  const mode = block.mode;
  if (mode !== 'sync' && mode !== 'poll' && mode !== 'callback') fail(`${BLOCK}.mode`, 'must be "sync", "poll" or "callback"');

  const entry = text('entry', 300);
  if (entry !== undefined) {
    const parts = entry.replace(/^\.\//, '').split('/');
    if (entry.startsWith('/') || entry.includes('\\') || parts.some((p) => p === '..' || p === '')) {
      fail(`${BLOCK}.entry`, 'must be a relative path inside the package, without ".."');
    } else if (runtime === 'wasm' && !entry.endsWith('.wasm')) {
      fail(`${BLOCK}.entry`, 'must name a .wasm file for runtime "wasm"');
    } else if (runtime === 'isolate' && !/\.(c|m)?js$/.test(entry)) {
      fail(`${BLOCK}.entry`, 'must name a bundled .js file for runtime "isolate"');
    }
  }

  const inputs = objectSchema(block.inputs, `${BLOCK}.inputs`, fail);
  const outputs = objectSchema(block.outputs, `${BLOCK}.outputs`, fail);
  const capabilities = capabilityList(block.capabilities, fail);
  const limits = limitsBlock(block.limits, fail);

  if (errors.length > 0) return { ok: false, errors };
  const manifest: PluginManifest = {
    title: title as string,
    category: category as string,
    runtime: runtime as PluginManifest['runtime'],
    entry: entry as string,
    inputs: inputs as JsonSchema,
    outputs: outputs as JsonSchema,
    mode: mode as PluginManifest['mode'],
    capabilities: capabilities as string[],
    limits: limits as PluginLimits,
  };
  if (description !== undefined) manifest.description = description;
  return { ok: true, manifest, name: name as string, version: version as string };
}

/** Structural check only: the runtime compiles the schema with ajv and reports deeper problems. */
function objectSchema(v: unknown, path: string, fail: (p: string, m: string) => void): JsonSchema | undefined {
  if (!isRecord(v)) {
    fail(path, 'must be a JSON Schema object, e.g. {"type": "object", "properties": {...}}');
    return undefined;
  }
  if (v.type !== 'object') fail(`${path}.type`, 'must be "object": inputs and outputs are named fields');
  if (v.properties !== undefined && !isRecord(v.properties)) fail(`${path}.properties`, 'must be an object of field schemas');
  if (v.required !== undefined && (!Array.isArray(v.required) || v.required.some((r) => typeof r !== 'string'))) {
    fail(`${path}.required`, 'must be an array of field names');
  }
  return v;
}

function capabilityList(v: unknown, fail: (p: string, m: string) => void): string[] | undefined {
  const path = `${BLOCK}.capabilities`;
  if (!Array.isArray(v)) {
    fail(path, 'must be an array of capability strings (may be empty)');
    return undefined;
  }
  const seen = new Set<string>();
  v.forEach((c, i) => {
    if (typeof c !== 'string') return fail(`${path}[${i}]`, 'must be a string');
    if (c.length > CAPABILITY_MAX_CHARS) return fail(`${path}[${i}]`, `must be at most ${CAPABILITY_MAX_CHARS} characters`);
    const parsed = parseCapability(c);
    if (!parsed.ok) return fail(`${path}[${i}]`, parsed.message);
    if (seen.has(c)) return fail(`${path}[${i}]`, `duplicate capability "${c}"`);
    seen.add(c);
  });
  return v as string[];
}

function limitsBlock(v: unknown, fail: (p: string, m: string) => void): PluginLimits | undefined {
  const path = `${BLOCK}.limits`;
  if (!isRecord(v)) {
    fail(path, 'must be an object like {"memoryMb": 64, "timeoutMs": 5000}');
    return undefined;
  }
  for (const key of Object.keys(v)) if (!LIMIT_FIELDS.has(key)) fail(`${path}.${key}`, 'unknown field');
  const limits: Partial<PluginLimits> = {};
  for (const key of LIMIT_FIELDS) {
    const k = key as keyof typeof MANIFEST_BOUNDS;
    const value = v[k];
    const optional = k === 'outputBytes' || k === 'hostCallsPerSecond';
    if (value === undefined && optional) continue;
    const { min, max } = MANIFEST_BOUNDS[k];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      fail(`${path}.${k}`, `must be an integer from ${min} to ${max}`);
    } else {
      limits[k] = value;
    }
  }
  return limits as PluginLimits;
}
