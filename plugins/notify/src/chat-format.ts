/** Chat platforms reached through incoming webhooks. */
export type ChatChannel = 'slack' | 'wecom' | 'feishu';

/**
 * The JSON body the platform's incoming webhook receives for a text and an optional title.
 * Core's notification service composes and posts it (it alone holds webhook secrets); this copy
 * shows it in the node's outputs and on dry runs, and must match core's `notify/chat-formats.ts`:
 * Slack `{text}` (title in bold), WeCom `{msgtype: 'markdown', markdown: {content}}` with a title
 * (as a heading) or `{msgtype: 'text', text: {content}}`, Feishu `{msg_type: 'text', content: {text}}`
 * or, with a title, a `post`.
 * @example chatBody('slack', 'done', 'Deploy') // {text: '*Deploy*\ndone'}
 */
export function chatBody(channel: ChatChannel, text: string, title?: string): Record<string, unknown> {
  const titled = title !== undefined && title !== '';
  switch (channel) {
    case 'slack':
      return { text: titled ? `*${title}*\n${text}` : text };
    case 'wecom':
      return titled ? { msgtype: 'markdown', markdown: { content: `### ${title}\n${text}` } } : { msgtype: 'text', text: { content: text } };
    case 'feishu':
      return titled
        ? { msg_type: 'post', content: { post: { zh_cn: { title, content: [[{ tag: 'text', text }]] } } } }
        : { msg_type: 'text', content: { text } };
  }
}
