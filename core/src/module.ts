import type { Server } from 'node:http';
import type { Logger } from 'pino';
import type { Config } from './config/config.js';
import type { Db } from './store/db.js';
import type { Coordination } from './queue/index.js';
import type { Route } from './http/route.js';
import type { AuthService } from './auth/auth-service.js';
import type { ProjectService } from './project/project-service.js';
import type { ProjectConstantService } from './project/constant-service.js';
import type { AuditStore } from './audit/audit-store.js';

/** What every domain module gets from the composition root. */
export interface ModuleContext {
  config: Config;
  db: Db;
  log: Logger;
  coordination: Coordination;
  auth: AuthService;
  projects: ProjectService;
  /** Project constants: the flow engine reads them as `${_env_KEY}`, template validation checks their keys. */
  constants: ProjectConstantService;
  audit: AuditStore;
  /** Services other modules registered before this one (by name), for the few allowed cross-domain calls. */
  registry: Map<string, unknown>;
}

/**
 * A domain of core (flows, jobs, CMDB, plugins …) as the server mounts it: its routes, and
 * optionally a hook on the HTTP server (WebSocket upgrades), background work and shutdown.
 */
export interface CoreModule {
  name: string;
  routes: Route[];
  /** Called once the HTTP server exists, before it listens. */
  attach?(server: Server): void;
  /** Called after the server listens: start consumers, schedulers, sweepers. */
  start?(): Promise<void>;
  /** Stops background work; called in reverse order of start. */
  close?(): Promise<void>;
  /** Readiness checks for /readyz. */
  readiness?: Record<string, () => Promise<void>>;
}

export type ModuleFactory = (ctx: ModuleContext) => Promise<CoreModule>;
