import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { memoryLimits } from '@opsloom/plugin-runtime';
import { main } from './cli.js';

const root = mkdtempSync(join(tmpdir(), 'opsloom-sdk-wasm-'));
after(() => rmSync(root, { recursive: true, force: true }));

test('init --wasm scaffolds an AssemblyScript plugin that builds with a memory cap and passes its test', async () => {
  const dir = join(root, 'wasm-greeter');
  const lines: string[] = [];
  assert.equal(await main(['init', dir, '--wasm'], (l) => lines.push(l)), 0);
  const code = await main(['test', dir], (l) => lines.push(l));
  assert.equal(code, 0, lines.join('\n'));
  assert.match(lines.join('\n'), /ok - greets by name/);
  assert.match(lines.join('\n'), /ok - an empty name fails with its own code/);
  const limits = memoryLimits(new Uint8Array(readFileSync(join(dir, 'dist/plugin.wasm'))));
  assert.equal(limits.length, 1);
  assert.equal(limits[0].max, 256, 'memoryMb 16 → at most 256 pages');
});

test('init --wasm --mode poll scaffolds an AssemblyScript plugin with execute, poll and a cancel that writes no result, and its cases pass', async () => {
  const dir = join(root, 'wasm-remote-job');
  const lines: string[] = [];
  assert.equal(await main(['init', dir, '--wasm', '--mode', 'poll'], (l) => lines.push(l)), 0);
  assert.match(readFileSync(join(dir, 'assembly/index.ts'), 'utf8'), /export function cancel\(\): i32/);
  const code = await main(['test', dir], (l) => lines.push(l));
  assert.equal(code, 0, lines.join('\n'));
  assert.match(lines.join('\n'), /ok - execute starts the job and asks to be polled/);
  assert.match(lines.join('\n'), /ok - cancel stops the job/);
  assert.match(lines.join('\n'), /6 passed, 0 failed/);
});
