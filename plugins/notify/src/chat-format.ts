/** Chat platforms reached through incoming webhooks. */
export type ChatChannel = 'slack' | 'wecom' | 'feishu';

/**
 * The JSON body each platform's incoming webhook expects for a text message with an optional
 * title: Slack `{text}` (mrkdwn, title in bold), WeCom `{msgtype: 'markdown', markdown: {content}}`
 * (title as a heading), Feishu `{msg_type: 'text', content: {text}}` (title on the first line).
 * @example chatBody('slack', 'Deploy', 'done') // {text: '*Deploy*\ndone'}
 */
export function chatBody(channel: ChatChannel, text: string, title?: string): Record<string, unknown> {
  const titled = title !== undefined && title !== '';
  switch (channel) {
    case 'slack':
      return { text: titled ? `*${title}*\n${text}` : text };
    case 'wecom':
      return { msgtype: 'markdown', markdown: { content: titled ? `### ${title}\n${text}` : text } };
    case 'feishu':
      return { msg_type: 'text', content: { text: titled ? `${title}\n${text}` : text } };
  }
}
