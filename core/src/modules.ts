import type { ModuleFactory } from './module.js';
import { pluginModule } from './plugin/plugin-module.js';
import { registryModule } from './registry/registry-module.js';
import { flowModule } from './flow/flow-module.js';
import { cronModule } from './cron/cron-module.js';
import { jobModule } from './job/job-module.js';
import { secretsModule } from './secrets/secrets-module.js';
import { cmdbModule } from './cmdb/cmdb-module.js';
import { notifyModule } from './notify/notify-module.js';
import { hostServicesModule } from './host-services/host-services-module.js';
import { uploadModule } from './upload/upload-module.js';
import { bootstrapModule } from './bootstrap/bootstrap-module.js';

/**
 * The domain modules the server mounts, in start order. A module may use services registered
 * by the ones before it (through `ModuleContext.registry`).
 */
export const MODULES: ModuleFactory[] = [
  secretsModule,
  cmdbModule,
  jobModule,
  notifyModule,
  uploadModule,
  hostServicesModule,
  pluginModule,
  registryModule,
  flowModule,
  cronModule,
  bootstrapModule,
];
