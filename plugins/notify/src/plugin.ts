/**
 * notify: sends an email, a generic webhook call, or a Slack / WeCom / Feishu chat message
 * through core's notification service, with `{{name}}` placeholders filled from `values`.
 */
import { definePlugin, host } from '@opsloom/plugin-sdk';
import { chatBody, type ChatChannel } from './chat-format.js';
import { PluginFailure } from '@opsloom/plugin-sdk';
import { escapeHtml, fill, fillDeep, type FillOptions } from './template.js';

/** Inputs, as the manifest's schema describes them. */
interface Inputs {
  channel: 'email' | ChatChannel | 'webhook';
  to?: string[];
  subject?: string;
  message?: string;
  html?: string;
  title?: string;
  webhook?: string;
  url?: string;
  body?: unknown;
  headers?: Record<string, string>;
  values?: Record<string, unknown>;
  strictTemplates?: boolean;
  dryRun?: boolean;
}

interface Outputs {
  [key: string]: unknown;
  delivered: boolean;
  channel: string;
  detail: string;
  /** What was (or, on a dry run, would have been) handed to the notification service. */
  message: Record<string, unknown>;
  /** For chat channels: the exact JSON body the platform's webhook receives. */
  body?: unknown;
}

const EMAIL = /^[^\s@<>,;"]+@[^\s@<>,;"]+\.[^\s@<>,;"]+$/;
const HTTP_URL = /^https?:\/\/[^\s/?#]+([/?#]\S*)?$/i;
const SECRET_REF = /^secret:[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

function need<T>(value: T | undefined, field: string, channel: string): T {
  if (value === undefined || value === '' || (Array.isArray(value) && value.length === 0)) {
    throw new PluginFailure('NOTIFY_INPUT_MISSING', `channel "${channel}" needs ${field}`);
  }
  return value;
}

/** Builds the `notify.send` message for the channel; chat messages carry the platform body. */
function compose(inputs: Inputs): { message: Record<string, unknown>; body?: unknown } {
  const values = inputs.values ?? {};
  const text: FillOptions = { strict: inputs.strictTemplates ?? true };
  const { channel } = inputs;
  switch (channel) {
    case 'email': {
      const to = need(inputs.to, 'to (a list of addresses)', channel);
      const bad = to.filter((a) => !EMAIL.test(a));
      if (bad.length) throw new PluginFailure('EMAIL_INVALID', `not email addresses: ${bad.slice(0, 5).join(', ')}`);
      const message: Record<string, unknown> = {
        channel,
        to,
        // A header must stay on one line, whatever the values contain.
        subject: fill(need(inputs.subject, 'subject', channel), values, text).replace(/[\r\n]+/g, ' '),
        text: fill(need(inputs.message, 'message', channel), values, text),
      };
      if (inputs.html !== undefined) message.html = fill(inputs.html, values, { ...text, escape: escapeHtml });
      return { message };
    }
    case 'webhook': {
      const url = need(inputs.url, 'url', channel);
      if (!HTTP_URL.test(url)) throw new PluginFailure('URL_INVALID', `url "${url}" must be an http(s) URL`);
      const message: Record<string, unknown> = { channel, url, body: fillDeep(inputs.body ?? { text: inputs.message ?? '' }, values, text) };
      if (inputs.headers) message.headers = inputs.headers;
      return { message };
    }
    default: {
      const webhook = need(inputs.webhook, 'webhook (a URL or secret:<name>)', channel);
      if (!HTTP_URL.test(webhook) && !SECRET_REF.test(webhook)) {
        throw new PluginFailure('URL_INVALID', `webhook must be an http(s) URL or "secret:<name>" naming a project secret that holds it`);
      }
      const title = inputs.title === undefined ? undefined : fill(inputs.title, values, text);
      const message: Record<string, unknown> = { channel, webhook, text: fill(need(inputs.message, 'message', channel), values, text) };
      if (title) message.title = title;
      return { message, body: chatBody(channel, message.text as string, title) };
    }
  }
}

export default definePlugin<Inputs, Outputs>({
  async execute(inputs, ctx) {
    const { message, body } = compose(inputs);
    const shown = { ...message };
    if (typeof shown.webhook === 'string' && !SECRET_REF.test(shown.webhook)) shown.webhook = redactUrl(shown.webhook);
    const base = { channel: inputs.channel, message: shown, ...(body !== undefined ? { body } : {}) };
    if (inputs.dryRun) {
      ctx.log.info(`dry run: ${inputs.channel} message composed, not sent`);
      return { delivered: false, detail: 'dry run: not sent', ...base };
    }
    const answer = (await host.notify.send(message)) as { delivered?: unknown; detail?: unknown } | null;
    if (!answer || answer.delivered !== true) {
      throw new PluginFailure('NOTIFY_NOT_DELIVERED', `the ${inputs.channel} message was not delivered${typeof answer?.detail === 'string' ? `: ${answer.detail}` : ''}`);
    }
    const detail = typeof answer.detail === 'string' ? answer.detail : 'delivered';
    ctx.log.info(`${inputs.channel} message delivered${inputs.channel === 'email' ? ` to ${(inputs.to ?? []).length} recipients` : ''}`);
    return { delivered: true, detail, ...base };
  },
});

/** Chat webhook URLs carry their token in the path: outputs keep only the origin. */
function redactUrl(url: string): string {
  const m = /^(https?:\/\/[^/?#]+)/i.exec(url);
  return m ? `${m[1]}/…` : '…';
}
