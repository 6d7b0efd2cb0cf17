import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Config } from './config/config.js';
import { createLogger } from './log.js';
import { VERSION } from './version.js';
import { closeDb, openDb, pingDb, type Db } from './store/db.js';
import { AuditStore } from './audit/audit-store.js';
import { auditRoutes } from './audit/audit-routes.js';
import { UserStore } from './auth/user-store.js';
import { CredentialStore } from './auth/credential-store.js';
import { AuthService } from './auth/auth-service.js';
import { authRoutes } from './auth/auth-routes.js';
import { ProjectStore } from './project/project-store.js';
import { ProjectService } from './project/project-service.js';
import { projectRoutes } from './project/project-routes.js';
import { ProjectConstantStore } from './project/constant-store.js';
import { ProjectConstantService } from './project/constant-service.js';
import { constantRoutes } from './project/constant-routes.js';
import type { TemplateService } from './flow/template/template-service.js';
import { createHttpApp } from './http/app.js';
import { Metrics } from './http/metrics.js';
import { findPortalDir, staticFiles } from './http/static.js';
import type { Route } from './http/route.js';
import { createCoordination, type Coordination } from './queue/index.js';
import type { CoreModule, ModuleContext } from './module.js';
import { MODULES } from './modules.js';

/** A running Opsloom core process. */
export interface Opsloom {
  readonly config: Config;
  readonly url: string;
  readonly port: number;
  readonly db: Db;
  readonly coordination: Coordination;
  readonly log: Logger;
  readonly services: Services;
  /** Set when this start created the first admin with a generated password. */
  readonly bootstrap: { password?: string; file?: string };
  close(): Promise<void>;
}

/** Every domain service, for the CLI and for tests that need to reach past the API. */
export interface Services {
  auth: AuthService;
  projects: ProjectService;
  constants: ProjectConstantService;
  audit: AuditStore;
  /** Services the domain modules registered, by name (e.g. `flow`, `jobs`). */
  modules: Map<string, unknown>;
}

/**
 * The composition root: opens the stores, builds the services, mounts their routes and listens.
 * Nothing else in core constructs services.
 */
export async function startOpsloom(config: Config, options: { log?: Logger } = {}): Promise<Opsloom> {
  const log = options.log ?? createLogger(config.logLevel);
  const db = await openDb(config.db);
  const closers: (() => Promise<void>)[] = [() => closeDb(db)];
  try {
    const coordination = createCoordination({ ...(config.redisUrl ? { redisUrl: config.redisUrl } : {}), prefix: config.redisPrefix });
    closers.unshift(() => coordination.close());
    const audit = new AuditStore(db);
    const users = new UserStore(db);
    const auth = new AuthService({ users, credentials: new CredentialStore(db), audit, sessionTtlMs: config.sessionTtlMs });
    const projects = new ProjectService(new ProjectStore(db), users);
    const constants = new ProjectConstantService(new ProjectConstantStore(db));
    const registry = new Map<string, unknown>();
    const services: Services = { auth, projects, constants, audit, modules: registry };

    const bootstrap = await auth.bootstrapAdmin(config.dataDir, config.adminPassword);

    const ctx: ModuleContext = { config, db, log, coordination, auth, projects, constants, audit, registry };
    const modules: CoreModule[] = [];
    for (const factory of MODULES) {
      const m = await factory(ctx);
      modules.push(m);
      if (m.close) closers.unshift(() => m.close!());
    }

    const publicUrl = config.publicUrl ?? `http://${config.host}:${config.port}`;
    // Which templates read a constant is the flow domain's to say; a deletion's answer lists them.
    const flow = registry.get('flow') as { templates: TemplateService } | undefined;
    const routes: Route[] = [
      ...authRoutes(auth, (caller, idOrKey) => projects.scope(caller, idOrKey), publicUrl.startsWith('https:')),
      ...projectRoutes(projects),
      ...constantRoutes(constants, async (projectId, key) => (flow ? flow.templates.constantReaders(projectId, key) : [])),
      ...auditRoutes(audit),
      ...modules.flatMap((m) => m.routes),
    ];
    const portalDir = findPortalDir();
    const app = createHttpApp({
      routes,
      ...(portalDir ? { staticHandler: staticFiles(portalDir) } : {}),
      log,
      metrics: new Metrics(),
      version: VERSION,
      readiness: {
        database: () => pingDb(db),
        ...(config.redisUrl ? { redis: () => coordination.ready() } : {}),
        ...Object.assign({}, ...modules.map((m) => m.readiness ?? {})),
      },
      deps: {
        authenticate: (ctx) => auth.authenticate(ctx),
        projectScope: (caller, idOrKey) => projects.scope(caller, idOrKey),
        audit: (entry) => audit.record(entry),
      },
    });
    const server = createServer(app.callback());
    for (const m of modules) m.attach?.(server);
    await listen(server, config.port, config.host);
    closers.unshift(() => closeServer(server));
    for (const m of modules) await m.start?.();
    const port = (server.address() as AddressInfo).port;
    const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
    log.info({ url, db: config.db.kind, redis: Boolean(config.redisUrl) }, 'opsloom core listening');

    let closed = false;
    return {
      config, url, port, db, coordination, log, services, bootstrap,
      async close() {
        if (closed) return;
        closed = true;
        for (const close of closers) await close().catch((err) => log.warn({ err }, 'error while closing'));
      },
    };
  } catch (err) {
    for (const close of closers) await close().catch(() => undefined);
    throw err;
  }
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
