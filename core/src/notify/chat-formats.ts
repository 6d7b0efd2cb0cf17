/** Chat platforms whose incoming-webhook formats are known. */
export type ChatPlatform = 'slack' | 'wecom' | 'feishu';

/**
 * The JSON each platform's incoming webhook expects for a text message with an optional title:
 * Slack `{text}` (mrkdwn), WeCom (企业微信) `markdown`, Feishu (飞书) `post` with a title or plain `text`.
 */
export function chatPayload(platform: ChatPlatform, text: string, title?: string): unknown {
  switch (platform) {
    case 'slack':
      return { text: title ? `*${title}*\n${text}` : text };
    case 'wecom':
      return title ? { msgtype: 'markdown', markdown: { content: `### ${title}\n${text}` } } : { msgtype: 'text', text: { content: text } };
    case 'feishu':
      return title
        ? { msg_type: 'post', content: { post: { zh_cn: { title, content: [[{ tag: 'text', text }]] } } } }
        : { msg_type: 'text', content: { text } };
  }
}

/**
 * Why the platform refused a message it answered with HTTP 200, or undefined when it accepted it.
 * WeCom answers `{errcode, errmsg}`, Feishu `{code, msg}` (older hooks `{StatusCode}`), Slack `ok`.
 */
export function chatRefusal(platform: ChatPlatform, answer: string): string | undefined {
  if (platform === 'slack') return answer.trim() === '' || answer.trim() === 'ok' ? undefined : answer.slice(0, 300);
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(answer) as Record<string, unknown>;
  } catch {
    return `unexpected answer: ${answer.slice(0, 300)}`;
  }
  if (platform === 'wecom') return body.errcode === 0 ? undefined : `errcode ${String(body.errcode)}: ${String(body.errmsg ?? '')}`;
  const code = body.code ?? body.StatusCode;
  return code === 0 ? undefined : `code ${String(code)}: ${String(body.msg ?? body.StatusMessage ?? '')}`;
}
