import { PluginRuntimeError, type HostCallContext } from '@opsloom/plugin-runtime';
import { NotFoundError } from '../errors.js';
import type { NotifyService } from '../notify/notify-service.js';
import { SECRET_NAME, type SecretService } from '../secrets/secret-service.js';

/**
 * `host.notify.send` over the notify service, for the task's project (`secret:<name>` webhooks
 * resolve in that project). The message is validated by the service, like an API call.
 */
export function notifySend(notify: NotifyService) {
  return async (message: unknown, ctx: HostCallContext): Promise<unknown> => notify.send(ctx.context.projectId, message);
}

/**
 * `host.secrets.read`: the runtime already checked the `secrets.read:<name>` capability; this reads
 * the secret of the task's project only. The value goes to the plugin and nowhere else (no log).
 */
export function secretRead(secrets: SecretService) {
  return async (name: string, ctx: HostCallContext): Promise<string> => {
    if (typeof name !== 'string' || !SECRET_NAME.test(name)) throw new PluginRuntimeError('HOST_ARGS_INVALID', 'secrets.read: expects a secret name');
    try {
      return await secrets.read(ctx.context.projectId, name);
    } catch (err) {
      if (err instanceof NotFoundError) throw new PluginRuntimeError('SECRET_NOT_FOUND', `secrets.read: the project has no secret named ${name}; a project admin can add it under Secrets`);
      throw err;
    }
  };
}
