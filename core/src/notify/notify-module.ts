import type { ModuleFactory } from '../module.js';
import type { SecretService } from '../secrets/secret-service.js';
import { EmailSender } from './email-sender.js';
import { compileNotifyOptions } from './notify-options.js';
import { notifyRoutes } from './notify-routes.js';
import { NotifyService } from './notify-service.js';

/** Notifications (e-mail, webhooks, chat); registers its {@link NotifyService} as `notify`. Needs `secrets` before it. */
export const notifyModule: ModuleFactory = async (ctx) => {
  const options = compileNotifyOptions({ smtpUrl: ctx.config.smtpUrl, smtpFrom: ctx.config.smtpFrom, origins: ctx.config.notifyOrigins });
  const secrets = ctx.registry.get('secrets') as SecretService | undefined;
  const service = new NotifyService(options, new EmailSender(options), secrets ? (p, n) => secrets.read(p, n) : undefined);
  ctx.registry.set('notify', service);
  return {
    name: 'notify',
    routes: notifyRoutes(service),
    async close() { service.close(); },
  };
};

export { NotifyService } from './notify-service.js';
export { notifyMessage, type NotifyMessage, type NotifyResult } from './notify-message.js';
export { chatPayload } from './chat-formats.js';
