import nodemailer, { type Transporter } from 'nodemailer';
import { NotifyDeliveryError, SmtpNotConfiguredError } from './notify-errors.js';
import type { CompiledNotifyOptions } from './notify-options.js';

/** Sends notification e-mail through the operator's SMTP server (nodemailer, one pooled transport). */
export class EmailSender {
  #transport: Transporter | undefined;

  constructor(private readonly options: CompiledNotifyOptions) {}

  /**
   * @returns the SMTP server's answer to the message (e.g. `250 OK: queued as …`)
   * @throws SmtpNotConfiguredError, NotifyDeliveryError
   */
  async send(mail: { to: string[]; subject: string; text: string; html?: string | undefined }): Promise<string> {
    if (!this.options.smtpUrl) throw new SmtpNotConfiguredError();
    this.#transport ??= nodemailer.createTransport({
      url: this.options.smtpUrl,
      pool: true,
      maxConnections: 2,
      connectionTimeout: this.options.timeoutMs,
      greetingTimeout: this.options.timeoutMs,
      socketTimeout: this.options.timeoutMs * 3,
    } as Parameters<typeof nodemailer.createTransport>[0]);
    try {
      const info = await this.#transport.sendMail({
        from: this.options.smtpFrom, to: mail.to, subject: mail.subject, text: mail.text, ...(mail.html !== undefined ? { html: mail.html } : {}),
      }) as { response?: string; rejected?: unknown[] };
      if (Array.isArray(info.rejected) && info.rejected.length > 0) {
        throw new NotifyDeliveryError('email', `the SMTP server refused ${info.rejected.length} recipient(s): ${info.rejected.join(', ')}`);
      }
      return info.response ?? 'accepted';
    } catch (err) {
      if (err instanceof NotifyDeliveryError) throw err;
      // nodemailer's messages name the server and the SMTP reply, never the password.
      throw new NotifyDeliveryError('email', (err as Error).message.slice(0, 500));
    }
  }

  close(): void {
    this.#transport?.close();
    this.#transport = undefined;
  }
}
