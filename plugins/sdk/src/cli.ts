#!/usr/bin/env node
import { realpathSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
/**
 * `opsloom-plugin`: the plugin author's command line.
 *   init <dir> [--wasm] [--mode sync|poll] [--name <npm-name>]   scaffold a plugin package
 *   build [dir]                               bundle (esbuild) or compile (asc) into the manifest entry
 *   test [dir]                                run plugin.test.json in the real sandbox
 *   keygen <org> [--out FILE]                 create an organisation signing key
 *   publish [dir] --org ORG --key FILE [--registry URL]  build, sign and publish
 */
import { buildPlugin } from './build.js';
import { KitError } from './project.js';
import { initPlugin } from './scaffold.js';
import { SCAFFOLD_MODES, type ScaffoldMode } from './templates.js';
import { keygen, publishPlugin } from './publish.js';
import { runPluginTests } from './testing.js';

/** This SDK's package directory, for a new plugin to depend on. */
const SDK_DIR = fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '');

const USAGE = `usage: opsloom-plugin <command>
  init <dir> [--wasm] [--mode sync|poll] [--name <npm-name>]
                                           create a plugin package (TypeScript, or AssemblyScript with --wasm);
                                           --mode poll: one that starts, polls and cancels a remote job
  build [dir]                              build the plugin into its manifest entry
  test [dir]                               build, then run plugin.test.json in the sandbox
  keygen <org> [--out FILE]                create an organisation signing key (private key file, public key printed)
  publish [dir] --org ORG --key FILE [--registry URL]
                                           build, sign with the organisation key, npm publish`;

/** Runs the CLI; returns the exit code. */
export async function main(argv: string[], out: (line: string) => void = (l) => console.log(l)): Promise<number> {
  const [command, ...rest] = argv;
  const valued = ['--name', '--mode', '--out', '--org', '--key', '--registry'];
  const positional = rest.filter((a, i) => !a.startsWith('--') && !valued.includes(rest[i - 1] ?? ''));
  const dir = positional[0] ?? '.';
  try {
    switch (command) {
      case 'init': {
        if (!positional[0]) throw new KitError('init needs a directory: opsloom-plugin init my-plugin');
        const nameAt = rest.indexOf('--name');
        const modeAt = rest.indexOf('--mode');
        const mode = modeAt >= 0 ? rest[modeAt + 1] : 'sync';
        if (!SCAFFOLD_MODES.includes(mode as ScaffoldMode)) {
          throw new KitError(`init scaffolds --mode ${SCAFFOLD_MODES.join(' or ')}, not "${mode ?? ''}"; a callback plugin starts from the poll one`);
        }
        const files = await initPlugin(dir, { wasm: rest.includes('--wasm'), mode: mode as ScaffoldMode, name: nameAt >= 0 ? rest[nameAt + 1] : undefined });
        out(`created ${files.length} files in ${dir}: ${files.join(', ')}`);
        // The SDK is not in any registry (Opsloom's holds plugins only): the package takes this one.
        out(`next: cd ${dir} && npm install --save-dev ${SDK_DIR} && npm install && npx opsloom-plugin test`);
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
      case 'keygen': {
        const org = positional[0];
        if (!org) throw new KitError('keygen needs your organisation name: opsloom-plugin keygen myorg [--out myorg.key]');
        const outAt = rest.indexOf('--out');
        const file = outAt >= 0 && rest[outAt + 1] ? rest[outAt + 1]! : `${org}.key`;
        const key = keygen(org, file);
        out(`private key written to ${file} (keep it secret); key id ${key.keyId}`);
        out(`public key, for the trust stores of organisations that install your plugins:\n${key.publicKey}`);
        return 0;
      }
      case 'publish': {
        const flag = (name: string) => { const i = rest.indexOf(name); return i >= 0 ? rest[i + 1] : undefined; };
        const org = flag('--org');
        const keyFile = flag('--key');
        if (!org || !keyFile) throw new KitError('publish needs your organisation and its key: opsloom-plugin publish [dir] --org myorg --key myorg.key [--registry URL]');
        const registry = flag('--registry');
        await publishPlugin(dir, { org, keyFile, ...(registry ? { registry } : {}) }, out);
        return 0;
      }
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
