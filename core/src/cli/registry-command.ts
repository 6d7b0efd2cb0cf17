import { AuditStore } from '../audit/audit-store.js';
import { AuthService } from '../auth/auth-service.js';
import { CredentialStore } from '../auth/credential-store.js';
import { UserStore } from '../auth/user-store.js';
import { ConfigError, loadConfig } from '../config/config.js';
import { createLogger } from '../log.js';
import { ProjectService } from '../project/project-service.js';
import { ProjectStore } from '../project/project-store.js';
import { ensureOpsloomKey } from '../registry/org-key.js';
import { hostRegistry, registryParts } from '../registry/registry-host.js';
import { closeDb, openDb } from '../store/db.js';

/** Usage lines of `opsloom registry`, for the CLI's help. */
export const REGISTRY_USAGE = `  opsloom registry [--config FILE] [--port N] [--host ADDR] [--url URL]
                                 run the plugin registry alone (a shared registry for several core
                                 processes): users and roles come from the database in OPSLOOM_DB;
                                 --url is the address cores and npm reach it at (announced in the database)`;

function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  const value = args[i + 1];
  if (!value || value.startsWith('--')) throw new ConfigError(name, 'needs a value');
  return value;
}

/**
 * `opsloom registry`: the embedded Verdaccio without the rest of core, for a registry shared by a
 * cluster. It authenticates against the shared database's users, applies publish rights from
 * project roles, keeps the catalog table indexed, picks up remote sources added through any core
 * process, and announces its URL so cores started with `OPSLOOM_REGISTRY=off` install from it.
 * Runs until SIGINT/SIGTERM.
 */
export async function registryCommand(args: string[]): Promise<void> {
  const configFile = flag(args, '--config');
  const config = loadConfig(process.env, configFile ? { configFile } : {});
  const portText = flag(args, '--port');
  const port = portText === undefined ? config.registryPort : Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError('--port', `"${portText}" is not a port number`);
  const announced = flag(args, '--url');
  if (announced !== undefined && !/^https?:\/\/\S+$/.test(announced)) throw new ConfigError('--url', `"${announced}" is not an http(s) URL`);

  const log = createLogger(config.logLevel);
  const db = await openDb(config.db);
  try {
    const users = new UserStore(db);
    const audit = new AuditStore(db);
    const auth = new AuthService({ users, credentials: new CredentialStore(db), audit, sessionTtlMs: config.sessionTtlMs });
    const projects = new ProjectService(new ProjectStore(db), users);
    const parts = await registryParts({ db, projects, config });
    await ensureOpsloomKey(config.dataDir, parts.trust);
    const hosted = await hostRegistry({ parts, auth, projects, log, dataDir: config.dataDir, port, host: flag(args, '--host') ?? config.host });
    const url = announced ? (announced.endsWith('/') ? announced : `${announced}/`) : hosted.handle.url;
    await parts.state.set('shared-url', url);
    await hosted.start();
    process.stdout.write(`\nOpsloom plugin registry is running at ${hosted.handle.url}\n  announced to core processes as ${url}\n\n`);
    let stopping = false;
    const stop = async (signal: string): Promise<void> => {
      if (stopping) return;
      stopping = true;
      log.info({ signal }, 'stopping the registry');
      await hosted.close().catch((err: unknown) => log.warn({ err }, 'error while closing the registry'));
      await closeDb(db);
      process.exit(0);
    };
    process.on('SIGINT', () => void stop('SIGINT'));
    process.on('SIGTERM', () => void stop('SIGTERM'));
  } catch (err) {
    await closeDb(db);
    throw err;
  }
}
