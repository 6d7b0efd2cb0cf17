import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

// `@opsloom/core/job-api` is bundled into the portal, so it must stay type-only and import only other
// browser-safe contracts. These checks read the compiled output that the package's subpath points to.
const compiled = (ext: string): string => readFileSync(new URL(`./api-types${ext}`, import.meta.url), 'utf8');
// Statements only: a line starting with import/export (doc comments start with `*`).
const specifiers = (source: string): string[] => [...source.matchAll(/^\s*(?:import|export)\b[^;]*?\bfrom\s+['"]([^'"]+)['"]/gm)].map((m) => m[1]!);

test('the job API types compile to a module without runtime imports', () => {
  const js = compiled('.js');
  assert.deepEqual(specifiers(js), []);
  assert.doesNotMatch(js, /\bimport\s*\(|\brequire\s*\(/);
});

test('the job API types import only the agent protocol', () => {
  assert.deepEqual([...new Set(specifiers(compiled('.d.ts')))], ['@opsloom/agent/protocol']);
});
