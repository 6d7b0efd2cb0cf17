/**
 * A plugin readme (Markdown from a possibly hostile package) read into plain data: blocks and
 * inline spans. The view renders them with Lit templates, so every character ends up as text:
 * raw HTML in the readme is shown, never parsed, and only http(s)/mailto links survive.
 */

/** An inline span of text. */
export type Inline =
  | { kind: 'text'; text: string }
  | { kind: 'code'; text: string }
  | { kind: 'strong'; text: string }
  | { kind: 'em'; text: string }
  | { kind: 'link'; text: string; href: string };

/** A block of the readme. */
export type Block =
  | { kind: 'heading'; level: 1 | 2 | 3 | 4; content: Inline[] }
  | { kind: 'paragraph'; content: Inline[] }
  | { kind: 'quote'; content: Inline[] }
  | { kind: 'list'; ordered: boolean; items: Inline[][] }
  | { kind: 'code'; language: string; text: string }
  | { kind: 'rule' };

/** Most blocks read from one readme (the server caps readmes at 256 KiB; the view needs less). */
export const MAX_BLOCKS = 2000;

/**
 * A link target that is safe to put in `href`: absolute http(s) or mailto. Anything else
 * (`javascript:`, `data:`, relative paths into the portal) gives undefined.
 */
export function safeHref(href: string): string | undefined {
  const h = href.trim();
  if (!/^(https?:\/\/|mailto:)/i.test(h)) return undefined;
  try {
    const url = new URL(h);
    return url.protocol === 'http:' || url.protocol === 'https:' || url.protocol === 'mailto:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}

const INLINE = /`([^`]+)`|\*\*([^*]+)\*\*|__([^_]+)__|\*([^*\s][^*]*)\*|_([^_\s][^_]*)_|!?\[([^\]]*)\]\(([^)\s]*)(?:\s+"[^"]*")?\)|<(https?:\/\/[^>\s]+)>/g;

/**
 * Reads inline Markdown: code, strong, emphasis, links (images become links to the image).
 *
 * @example
 * parseInline('see [docs](javascript:alert(1)) and `x`') // link dropped to text, code kept
 */
export function parseInline(text: string): Inline[] {
  const out: Inline[] = [];
  let last = 0;
  const pushText = (t: string): void => {
    if (!t) return;
    const prev = out[out.length - 1];
    if (prev?.kind === 'text') prev.text += t;
    else out.push({ kind: 'text', text: t });
  };
  for (const m of text.matchAll(INLINE)) {
    pushText(text.slice(last, m.index));
    last = m.index + m[0].length;
    if (m[1] !== undefined) out.push({ kind: 'code', text: m[1] });
    else if (m[2] !== undefined || m[3] !== undefined) out.push({ kind: 'strong', text: (m[2] ?? m[3])! });
    else if (m[4] !== undefined || m[5] !== undefined) out.push({ kind: 'em', text: (m[4] ?? m[5])! });
    else if (m[6] !== undefined) {
      const href = safeHref(m[7] ?? '');
      const label = m[6] || m[7] || '';
      if (href) out.push({ kind: 'link', text: label, href });
      else pushText(label);
    } else if (m[8] !== undefined) {
      const href = safeHref(m[8]);
      if (href) out.push({ kind: 'link', text: m[8], href });
      else pushText(m[0]);
    }
  }
  pushText(text.slice(last));
  return out;
}

/**
 * Reads a Markdown readme into blocks: ATX headings, paragraphs, fenced code, lists, quotes,
 * rules. Unknown syntax (tables, HTML) stays as paragraph text.
 *
 * @example
 * parseReadme('# Ping\n\nChecks a host.\n\n```bash\nping -c1 x\n```')
 * // [{kind:'heading',level:1,...}, {kind:'paragraph',...}, {kind:'code',language:'bash',text:'ping -c1 x'}]
 */
export function parseReadme(markdown: string): Block[] {
  const lines = markdown.replace(/\r\n?/g, '\n').split('\n');
  const blocks: Block[] = [];
  let para: string[] = [];
  const flush = (): void => {
    if (para.length) blocks.push({ kind: 'paragraph', content: parseInline(para.join(' ')) });
    para = [];
  };
  for (let i = 0; i < lines.length && blocks.length < MAX_BLOCKS; i++) {
    const line = lines[i]!;
    const fence = /^\s*(```+|~~~+)\s*([\w+-]*)/.exec(line);
    if (fence) {
      flush();
      const body: string[] = [];
      const close = fence[1]!;
      for (i++; i < lines.length && !lines[i]!.trim().startsWith(close); i++) body.push(lines[i]!);
      blocks.push({ kind: 'code', language: fence[2] ?? '', text: body.join('\n') });
      continue;
    }
    const heading = /^(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
    if (heading) {
      flush();
      blocks.push({ kind: 'heading', level: Math.min(heading[1]!.length, 4) as 1 | 2 | 3 | 4, content: parseInline(heading[2]!) });
      continue;
    }
    if (/^\s*([-*_])(\s*\1){2,}\s*$/.test(line)) {
      flush();
      blocks.push({ kind: 'rule' });
      continue;
    }
    const item = /^\s*([-*+]|\d+[.)])\s+(.*)$/.exec(line);
    if (item) {
      flush();
      const ordered = /\d/.test(item[1]!);
      const prev = blocks[blocks.length - 1];
      const list = prev?.kind === 'list' && prev.ordered === ordered && /^\s*([-*+]|\d+[.)])\s+/.test(lines[i - 1] ?? '') ? prev : undefined;
      if (list) list.items.push(parseInline(item[2]!));
      else blocks.push({ kind: 'list', ordered, items: [parseInline(item[2]!)] });
      continue;
    }
    const quote = /^\s*>\s?(.*)$/.exec(line);
    if (quote) {
      flush();
      blocks.push({ kind: 'quote', content: parseInline(quote[1]!) });
      continue;
    }
    if (line.trim() === '') flush();
    else para.push(line.trim());
  }
  flush();
  return blocks;
}
