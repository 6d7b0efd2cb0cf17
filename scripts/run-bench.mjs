// Runs every benchmark under bench/ (or those whose path contains an argument), one after the
// other so they do not disturb each other, each in its own process with the flags it needs.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const filters = process.argv.slice(2);
const benches = readdirSync(join(root, 'bench'), { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .flatMap((d) => readdirSync(join(root, 'bench', d.name)).filter((f) => f.endsWith('-bench.mjs') || f === 'fanout.mjs').map((f) => join(root, 'bench', d.name, f)))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();
let failed = 0;
for (const file of benches) {
  console.log(`\n=== ${relative(root, file)}`);
  const r = spawnSync(process.execPath, ['--no-node-snapshot', file], { cwd: root, stdio: 'inherit', env: process.env });
  if (r.status !== 0) failed++;
}
console.log(`\n${benches.length - failed} benchmarks ran, ${failed} failed`);
process.exit(failed ? 1 : 0);
