#!/usr/bin/env node
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
/**
 * `opsloom-plugin`: the plugin author's command line.
 *   init <dir> [--wasm] [--name <npm-name>]   scaffold a plugin package
 *   build [dir]                               bundle (esbuild) or compile (asc) into the manifest entry
 *   test [dir]                                run plugin.test.json in the real sandbox
 *   publish [dir]                             not yet available (comes with the registry)
 */
import { buildPlugin } from './build.js';
import { KitError } from './project.js';
import { initPlugin } from './scaffold.js';
import { runPluginTests } from './testing.js';

const USAGE = `usage: opsloom-plugin <command>
  init <dir> [--wasm] [--name <npm-name>]  create a plugin package (TypeScript, or AssemblyScript with --wasm)
  build [dir]                              build the plugin into its manifest entry
  test [dir]                               build, then run plugin.test.json in the sandbox
  publish [dir]                            sign and publish (not yet available)`;

/** Runs the CLI; returns the exit code. */
export async function main(argv: string[], out: (line: string) => void = (l) => console.log(l)): Promise<number> {
  const [command, ...rest] = argv;
  const positional = rest.filter((a, i) => !a.startsWith('--') && rest[i - 1] !== '--name');
  const dir = positional[0] ?? '.';
  try {
    switch (command) {
      case 'init': {
        if (!positional[0]) throw new KitError('init needs a directory: opsloom-plugin init my-plugin');
        const nameAt = rest.indexOf('--name');
        const files = await initPlugin(dir, { wasm: rest.includes('--wasm'), name: nameAt >= 0 ? rest[nameAt + 1] : undefined });
        out(`created ${files.length} files in ${dir}: ${files.join(', ')}`);
        out(`next: cd ${dir} && npm install && npx opsloom-plugin test`);
        return 0;
      }
      case 'build':
        await buildPlugin(dir, out);
        return 0;
      case 'test': {
        await buildPlugin(dir, out);
        const outcomes = await runPluginTests(dir);
        for (const o of outcomes) {
          out(`${o.ok ? 'ok' : 'FAIL'} - ${o.name}`);
          for (const p of o.problems) out(`    ${p}`);
        }
        const failed = outcomes.filter((o) => !o.ok).length;
        out(`${outcomes.length - failed} passed, ${failed} failed`);
        return failed === 0 ? 0 : 1;
      }
      case 'publish':
        throw new KitError('publish is not yet available: signing and publishing arrive with the plugin registry (issue: plugin-registry). Use "npm publish" against your registry meanwhile only for testing.');
      default:
        out(USAGE);
        return command === undefined || command === 'help' || command === '--help' ? 0 : 2;
    }
  } catch (err) {
    if (err instanceof KitError) {
      out(`error: ${err.message}`);
      return 1;
    }
    throw err;
  }
}

// npm links bins (node_modules/.bin/opsloom-plugin → …/dist/cli.js): compare real paths.
if (process.argv[1] && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
