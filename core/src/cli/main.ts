#!/usr/bin/env -S node --no-node-snapshot
import { ConfigError, SETTINGS, loadConfig } from '../config/config.js';
import { startOpsloom } from '../server.js';
import { VERSION } from '../version.js';
import { PLUGIN_USAGE, pluginCommand } from './plugin-command.js';
import { REGISTRY_USAGE, registryCommand } from './registry-command.js';

const USAGE = `opsloom ${VERSION}

Usage:
  opsloom up [--config FILE]     start Opsloom (embedded mode unless OPSLOOM_DB / OPSLOOM_REDIS are set)
${REGISTRY_USAGE}
${PLUGIN_USAGE}
  opsloom version                print the version
  opsloom help                   this text

Settings (environment variables, or keys of the JSON file given by --config / OPSLOOM_CONFIG):
${SETTINGS.map((s) => `  ${s.key.padEnd(24)} ${s.meaning} (default: ${s.default})`).join('\n')}
`;

async function up(args: string[]): Promise<void> {
  const i = args.indexOf('--config');
  const configFile = i >= 0 ? args[i + 1] : undefined;
  if (i >= 0 && !configFile) throw new ConfigError('--config', 'give the path of a JSON file');
  const config = loadConfig(process.env, configFile ? { configFile } : {});
  const ops = await startOpsloom(config);
  const out = process.stdout;
  out.write(`\nOpsloom ${VERSION} is running at ${ops.url}\n`);
  out.write(`  API document: ${ops.url}/api/openapi.json\n`);
  if (ops.bootstrap.password) {
    out.write(`  First start: created user "admin" with password ${ops.bootstrap.password}\n`);
    out.write(`  (also saved in ${ops.bootstrap.file}, readable only by you; change it after signing in)\n`);
  }
  out.write('\n');
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    ops.log.info({ signal }, 'stopping');
    await ops.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

async function main(argv: string[]): Promise<void> {
  const [command = 'help', ...args] = argv;
  switch (command) {
    case 'up': return up(args);
    case 'registry': return registryCommand(args);
    case 'plugin': return pluginCommand(args);
    case 'version': case '--version': process.stdout.write(`${VERSION}\n`); return;
    case 'help': case '--help': case '-h': process.stdout.write(USAGE); return;
    default:
      process.stderr.write(`opsloom: unknown command "${command}"\n\n${USAGE}`);
      process.exitCode = 2;
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  if (err instanceof ConfigError) {
    process.stderr.write(`opsloom: configuration error: ${err.message}\n`);
    process.exit(78);
  }
  process.stderr.write(`opsloom: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
