import { z } from 'zod';

const headerName = z.string().regex(/^[A-Za-z0-9-]{1,64}$/, 'must be a header name');

/**
 * A notification, as plugins (`host.notify.send`) and the API send it. Chat webhooks are a URL or
 * `secret:<name>`, a project secret holding the URL (chat webhook URLs are credentials).
 */
export const notifyMessage = z.discriminatedUnion('channel', [
  z.object({
    channel: z.literal('email'),
    to: z.array(z.email()).min(1).max(50),
    subject: z.string().min(1).max(998).regex(/^[^\r\n]*$/, 'must be one line'),
    text: z.string().max(1024 * 1024),
    html: z.string().max(1024 * 1024).optional(),
  }).strict(),
  z.object({
    channel: z.literal('webhook'),
    url: z.string().min(1).max(2048),
    body: z.unknown(),
    headers: z.record(headerName, z.string().max(4096).regex(/^[^\r\n]*$/, 'must be one line')).optional(),
  }).strict(),
  z.object({
    channel: z.enum(['slack', 'wecom', 'feishu']),
    webhook: z.string().min(1).max(2048),
    text: z.string().min(1).max(20_000),
    title: z.string().max(256).optional(),
  }).strict(),
]);

export type NotifyMessage = z.infer<typeof notifyMessage>;

/** What a delivered notification reports back. */
export interface NotifyResult {
  delivered: true;
  detail?: string;
}
