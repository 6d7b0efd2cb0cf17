// Runs every compiled test file of the workspace with node's test runner and ends with
// one plain summary line, "N passed, M failed", that CI reads.
// Usage: node scripts/run-tests.mjs [path-filter ...]
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, mkdtempSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { tmpdir } from 'node:os';

const root = new URL('..', import.meta.url).pathname;
const packages = ['core', 'plugin-runtime', 'plugin-registry', 'portal', 'agent',
  ...readdirSync(join(root, 'plugins')).map((p) => join('plugins', p))];

function testsUnder(dir) {
  let out = [];
  let entries;
  try { entries = readdirSync(dir, { withFileTypes: true }); } catch { return out; }
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out = out.concat(testsUnder(p));
    else if (e.name.endsWith('.test.js')) out.push(p);
  }
  return out;
}

const filters = process.argv.slice(2);
const files = packages
  .filter((p) => statSync(join(root, p), { throwIfNoEntry: false })?.isDirectory())
  .flatMap((p) => testsUnder(join(root, p, 'dist')))
  .map((f) => relative(root, f))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();

if (files.length === 0) {
  console.log('no test files found');
  console.log('0 passed, 1 failed');
  process.exit(1);
}

const tap = join(mkdtempSync(join(tmpdir(), 'opsloom-tests-')), 'results.tap');
const concurrency = process.env.OPSLOOM_TEST_CONCURRENCY ?? '2';
const args = ['--no-node-snapshot', '--test', `--test-concurrency=${concurrency}`,
  '--test-reporter=spec', '--test-reporter-destination=stdout',
  '--test-reporter=tap', `--test-reporter-destination=${tap}`, ...files];
const child = spawn(process.execPath, args, { cwd: root, stdio: 'inherit', env: process.env });
child.on('exit', (code) => {
  let text = '';
  try { text = readFileSync(tap, 'utf8'); } catch { /* the runner died before writing */ }
  const count = (name) => Number(text.match(new RegExp(`^# ${name} (\\d+)$`, 'm'))?.[1] ?? 0);
  const passed = count('pass');
  const failed = count('fail') + count('cancelled');
  const backend = process.env.OPSLOOM_TEST_DB ? `mysql${process.env.OPSLOOM_TEST_REDIS ? '+redis' : ''}` : 'sqlite';
  console.log(`\n[${backend}] ${files.length} test files`);
  const bad = failed > 0 || (code ?? 1) !== 0;
  console.log(`${passed} passed, ${bad && failed === 0 ? 1 : failed} failed`);
  process.exit(bad ? 1 : 0);
});
