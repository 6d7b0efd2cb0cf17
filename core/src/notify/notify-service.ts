import { ValidationError } from '../errors.js';
import { parseAt } from '../http/validate.js';
import { chatPayload, chatRefusal } from './chat-formats.js';
import type { EmailSender } from './email-sender.js';
import { NotifyDeliveryError } from './notify-errors.js';
import { notifyMessage, type NotifyMessage, type NotifyResult } from './notify-message.js';
import type { CompiledNotifyOptions } from './notify-options.js';
import { postJson } from './webhook-post.js';

/** Reads a project secret (the secret store's `read`). */
export type SecretReader = (projectId: string, name: string) => Promise<string>;

const SECRET_REF = 'secret:';

/**
 * Sends notifications for a project: e-mail over the operator's SMTP server, generic JSON webhooks,
 * and Slack / WeCom / Feishu chat webhooks, only to origins the operator allows. Registered as `notify`.
 *
 * @example
 * await notify.send(projectId, { channel: 'wecom', webhook: 'secret:ops-room', title: 'Deploy', text: 'v2 is live' });
 */
export class NotifyService {
  constructor(private readonly options: CompiledNotifyOptions, private readonly email: EmailSender, private readonly secrets: SecretReader | undefined) {}

  /**
   * Validates and delivers one message.
   * @throws ValidationError, NotFoundError (secret), NotifyOriginRefusedError, SmtpNotConfiguredError, NotifyDeliveryError
   */
  async send(projectId: string, input: unknown): Promise<NotifyResult> {
    const m: NotifyMessage = parseAt(notifyMessage, input, 'body');
    switch (m.channel) {
      case 'email':
        return { delivered: true, detail: await this.email.send(m) };
      case 'webhook': {
        const answer = await postJson(m.url, m.body, m.headers ?? {}, this.options, 'webhook');
        return { delivered: true, detail: `HTTP ${answer.status}` };
      }
      default: {
        const url = await this.#webhookUrl(projectId, m.webhook);
        const answer = await postJson(url, chatPayload(m.channel, m.text, m.title), {}, this.options, m.channel);
        const refusal = chatRefusal(m.channel, answer.text);
        if (refusal) throw new NotifyDeliveryError(m.channel, `the ${m.channel} webhook refused the message: ${refusal}`);
        return { delivered: true, detail: `HTTP ${answer.status}` };
      }
    }
  }

  close(): void {
    this.email.close();
  }

  async #webhookUrl(projectId: string, webhook: string): Promise<string> {
    if (!webhook.startsWith(SECRET_REF)) return webhook;
    if (!this.secrets) throw new ValidationError('body.webhook: secret references need the secret store, which this server does not run');
    return (await this.secrets(projectId, webhook.slice(SECRET_REF.length))).trim();
  }
}
