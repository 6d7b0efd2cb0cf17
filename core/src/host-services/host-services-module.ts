import type { HostServices } from '@opsloom/plugin-runtime';
import type { CmdbService } from '../cmdb/cmdb-service.js';
import type { ModuleFactory } from '../module.js';
import type { NotifyService } from '../notify/notify-service.js';
import { HOST_SERVICES_PREFIX } from '../plugin/plugin-module.js';
import type { SecretService } from '../secrets/secret-service.js';
import type { UploadService } from '../upload/upload-service.js';
import { agentExecute } from './agent-execute.js';
import { agentTransfer } from './agent-transfer.js';
import { cmdbRead } from './cmdb-read.js';
import { guarded } from './host-errors.js';
import type { JobPort } from './job-port.js';
import { notifySend, secretRead } from './project-services.js';

/**
 * The plugin host services core offers, each over its domain's service and scoped to the calling
 * task's project: `agent.execute` / `agent.transfer` (jobs), `cmdb.read`, `notify.send`,
 * `secrets.read`. Registered under `host-services:<domain>` for the plugin module to merge;
 * a domain whose module is not mounted leaves its calls `HOST_SERVICE_UNAVAILABLE`.
 */
export const hostServicesModule: ModuleFactory = async (ctx) => {
  const log = ctx.log.child({ module: 'host-services' });
  const unexpected = (op: string) => (err: unknown) => log.error({ err, op }, 'host service failed unexpectedly');
  const jobs = ctx.registry.get('jobs') as JobPort | undefined;
  const cmdb = ctx.registry.get('cmdb') as CmdbService | undefined;
  const notify = ctx.registry.get('notify') as NotifyService | undefined;
  const secrets = ctx.registry.get('secrets') as SecretService | undefined;
  const uploads = ctx.registry.get('uploads') as UploadService | undefined;
  const register = (domain: string, services: HostServices) => ctx.registry.set(`${HOST_SERVICES_PREFIX}${domain}`, services);
  if (jobs) {
    register('agent', {
      agentExecute: guarded('agent.execute', unexpected('agent.execute'), agentExecute(jobs, cmdb)),
      agentTransfer: guarded('agent.transfer', unexpected('agent.transfer'), agentTransfer(jobs, cmdb, uploads)),
    });
  }
  if (cmdb) register('cmdb', { cmdbRead: guarded('cmdb.read', unexpected('cmdb.read'), cmdbRead(cmdb)) });
  if (notify) register('notify', { notifySend: guarded('notify.send', unexpected('notify.send'), notifySend(notify)) });
  if (secrets) register('secrets', { secretRead: guarded('secrets.read', unexpected('secrets.read'), secretRead(secrets)) });
  return { name: 'host-services', routes: [] };
};
