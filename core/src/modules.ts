import type { ModuleFactory } from './module.js';
import { pluginModule } from './plugin/plugin-module.js';
import { flowModule } from './flow/flow-module.js';
import { cronModule } from './cron/cron-module.js';
import { jobModule } from './job/job-module.js';

/**
 * The domain modules the server mounts, in start order. A module may use services registered
 * by the ones before it (through `ModuleContext.registry`).
 */
export const MODULES: ModuleFactory[] = [
  jobModule,
  pluginModule,
  flowModule,
  cronModule,
];
