import { route, type Route } from '../http/route.js';
import { projectParams } from '../http/schemas.js';
import { notifyMessage } from './notify-message.js';
import type { NotifyService } from './notify-service.js';

/** Sending a notification from the API (e.g. to check the SMTP settings or a chat webhook). */
export function notifyRoutes(notify: NotifyService): Route[] {
  return [
    route({
      id: 'notify.send', method: 'post', path: '/api/v1/projects/:projectId/notifications', tag: 'notify', auth: { project: 'operate' },
      summary: 'Send an e-mail, webhook or Slack/WeCom/Feishu message now', params: projectParams, body: notifyMessage,
      async handler({ project, body, audit }) {
        const r = await notify.send(project.id, body);
        audit({ kind: 'notification', id: body.channel, detail: { channel: body.channel, ...(body.channel === 'email' ? { recipients: body.to.length } : {}) } });
        return r;
      },
    }),
  ];
}
