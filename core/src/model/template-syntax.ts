/**
 * The `${…}` template syntax shared by the validator, the editor and the expression sandbox, so
 * that all three agree on where an expression starts and ends.
 *
 * - `${expr}` holds a JavaScript expression; braces, strings and template literals inside it nest
 *   (`${ {a: 1}.a }`, `${ "}" }`, `` ${ `x${y}` } `` are single expressions).
 * - `$${` is the escape: it produces a literal `${` and starts no expression
 *   (`"echo $${HOME}"` renders as `echo ${HOME}`). Inputs that are literal throughout are better
 *   marked `render: false`.
 * - An unterminated `${` or an empty `${}` is an error, never left as text.
 */

/** A piece of a parsed template. Offsets index the original text; `end` is exclusive. */
export type TemplatePart =
  | { kind: 'text'; text: string }
  | { kind: 'expression'; expression: string; start: number; end: number };

/** The result of {@link parseTemplate}. */
export interface ParsedTemplate {
  parts: TemplatePart[];
  /** Set when the text has a malformed `${`; `parts` then holds what was parsed before it. */
  error?: { index: number; message: string };
}

/** True when `text` holds a `${` that is not escaped (cheap pre-check before parsing). */
export function hasExpressions(text: string): boolean {
  let i = text.indexOf('${');
  while (i !== -1) {
    if (i === 0 || text[i - 1] !== '$') return true;
    i = text.indexOf('${', i + 2);
  }
  return false;
}

/**
 * Splits `text` into literal text and `${…}` expressions.
 *
 * @example
 * parseTemplate('ssh ${user}@${host}').parts
 * // [{kind:'text',text:'ssh '}, {kind:'expression',expression:'user',...}, {kind:'text',text:'@'}, {kind:'expression',expression:'host',...}]
 */
export function parseTemplate(text: string): ParsedTemplate {
  const parts: TemplatePart[] = [];
  let literal = '';
  let i = 0;
  while (i < text.length) {
    if (text.startsWith('$${', i)) {
      literal += '${';
      i += 3;
      continue;
    }
    if (text.startsWith('${', i)) {
      const close = scanExpressionEnd(text, i + 2);
      if (close === -1) {
        if (literal) parts.push({ kind: 'text', text: literal });
        return { parts, error: { index: i, message: `unterminated "\${" at offset ${i} (write "$\${" for a literal "\${", or mark the input render: false)` } };
      }
      const expression = text.slice(i + 2, close).trim();
      if (!expression) {
        if (literal) parts.push({ kind: 'text', text: literal });
        return { parts, error: { index: i, message: `empty "\${}" at offset ${i}` } };
      }
      if (literal) parts.push({ kind: 'text', text: literal });
      literal = '';
      parts.push({ kind: 'expression', expression, start: i, end: close + 1 });
      i = close + 1;
      continue;
    }
    literal += text[i];
    i += 1;
  }
  if (literal) parts.push({ kind: 'text', text: literal });
  return { parts };
}

/**
 * Turns a flow condition into one JavaScript expression: code stays as written and each `${x}`
 * outside string literals becomes `(x)`, so bk-sops style `${count} > 3` and plain `count > 3`
 * mean the same.
 */
export function conditionToExpression(text: string): { expression: string; error?: string } {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === '"' || ch === "'" || ch === '`') {
      const end = skipQuoted(text, i);
      if (end === -1) return { expression: text, error: `unterminated string at offset ${i}` };
      out += text.slice(i, end);
      i = end;
      continue;
    }
    if (text.startsWith('${', i)) {
      const close = scanExpressionEnd(text, i + 2);
      if (close === -1) return { expression: text, error: `unterminated "\${" at offset ${i}` };
      const inner = text.slice(i + 2, close).trim();
      if (!inner) return { expression: text, error: `empty "\${}" at offset ${i}` };
      out += `(${inner})`;
      i = close + 1;
      continue;
    }
    out += ch;
    i += 1;
  }
  const expression = out.trim();
  if (!expression) return { expression, error: 'the condition is empty' };
  return { expression };
}

/**
 * Given the index just after `${`, returns the index of the `}` that closes the expression, or -1.
 * Skips nested braces, quoted strings and template literals (with their own `${…}`).
 */
export function scanExpressionEnd(text: string, from: number): number {
  let depth = 0;
  let i = from;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === '"' || ch === "'" || ch === '`') {
      const end = skipQuoted(text, i);
      if (end === -1) return -1;
      i = end;
      continue;
    }
    if (ch === '{') depth += 1;
    else if (ch === '}') {
      if (depth === 0) return i;
      depth -= 1;
    }
    i += 1;
  }
  return -1;
}

/** Given the index of an opening quote or backtick, returns the index just after its closing one, or -1. */
function skipQuoted(text: string, open: number): number {
  const quote = text[open];
  let i = open + 1;
  while (i < text.length) {
    const ch = text[i];
    if (ch === '\\') {
      i += 2;
      continue;
    }
    if (ch === quote) return i + 1;
    if (quote === '`' && ch === '$' && text[i + 1] === '{') {
      const close = scanExpressionEnd(text, i + 2);
      if (close === -1) return -1;
      i = close + 1;
      continue;
    }
    i += 1;
  }
  return -1;
}
