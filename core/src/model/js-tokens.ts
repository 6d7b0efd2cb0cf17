/**
 * A JavaScript tokenizer for the expressions of flows: enough of the lexical grammar to tell names
 * from everything else (strings, numbers, regex literals, template literals, comments) and to
 * pair brackets. It never evaluates anything. Used by {@link ./identifiers.ts}.
 */

/** One token. `ident` covers keywords too; `private` is `#name`; a template's `${…}` parts come out as `(` tokens `)`. */
export interface JsToken {
  kind: 'ident' | 'punct' | 'literal' | 'private';
  text: string;
}

/** Tokens with, for every bracket, the index of its partner (`-1` when unbalanced). */
export interface JsTokens {
  tokens: JsToken[];
  /** Index of the closing bracket of an opening one, and of the opening one of a closing one. */
  partner: Map<number, number>;
}

const PUNCTUATORS = [
  '>>>=', '...', '===', '!==', '**=', '<<=', '>>=', '>>>', '&&=', '||=', '??=',
  '=>', '==', '!=', '<=', '>=', '&&', '||', '??', '?.', '**', '++', '--', '<<', '>>',
  '+=', '-=', '*=', '%=', '&=', '|=', '^=',
];

/** After these words a `/` starts a regex literal (`return /x/`), after other names it divides (`a / b`). */
const REGEX_AFTER_WORDS: ReadonlySet<string> = new Set([
  'return', 'typeof', 'instanceof', 'in', 'of', 'new', 'delete', 'void', 'throw', 'case', 'do', 'else', 'yield', 'await',
]);

const IDENT_START = /[A-Za-z_$\u0080-\uffff]/;
const IDENT_REST = /^[\w$\u0080-\uffff]*/;

/**
 * Splits `src` into tokens and pairs its brackets.
 *
 * @example
 * tokenizeJs('/^v\\d+$/.test(v)').tokens.map((t) => t.text) // ['regex', '.', 'test', '(', 'v', ')']
 */
export function tokenizeJs(src: string): JsTokens {
  const tokens: JsToken[] = [];
  scan(src, 0, false, tokens);
  return { tokens, partner: pairBrackets(tokens) };
}

/**
 * Appends the tokens of `src` from `start`; with `untilBrace`, stops at the `}` that closes a
 * template literal's `${` and returns its index. Returns where it stopped.
 */
function scan(src: string, start: number, untilBrace: boolean, tokens: JsToken[]): number {
  let depth = 0;
  let i = start;
  while (i < src.length) {
    const ch = src[i]!;
    if (/\s/.test(ch)) {
      i += 1;
    } else if (ch === '/' && src[i + 1] === '/') {
      const nl = src.indexOf('\n', i);
      i = nl === -1 ? src.length : nl + 1;
    } else if (ch === '/' && src[i + 1] === '*') {
      const close = src.indexOf('*/', i + 2);
      i = close === -1 ? src.length : close + 2;
    } else if (ch === '/' && regexAllowed(tokens[tokens.length - 1])) {
      i = skipRegex(src, i);
      tokens.push({ kind: 'literal', text: 'regex' });
    } else if (ch === '"' || ch === "'") {
      i = skipString(src, i);
      tokens.push({ kind: 'literal', text: 'string' });
    } else if (ch === '`') {
      tokens.push({ kind: 'literal', text: 'template' });
      i = scanTemplate(src, i, tokens);
    } else if (/[0-9]/.test(ch) || (ch === '.' && /[0-9]/.test(src[i + 1] ?? ''))) {
      const m = /^[0-9.]*[0-9a-zA-Z_.]*/.exec(src.slice(i))!;
      i += Math.max(1, m[0].length);
      tokens.push({ kind: 'literal', text: 'number' });
    } else if (IDENT_START.test(ch) || (ch === '#' && IDENT_START.test(src[i + 1] ?? ''))) {
      const from = ch === '#' ? i + 1 : i;
      const word = src[from]! + IDENT_REST.exec(src.slice(from + 1))![0];
      tokens.push({ kind: ch === '#' ? 'private' : 'ident', text: word });
      i = from + word.length;
    } else {
      if (ch === '{') depth += 1;
      if (ch === '}') {
        if (depth === 0 && untilBrace) return i;
        depth -= 1;
      }
      const p = PUNCTUATORS.find((x) => src.startsWith(x, i) && !(x === '?.' && /[0-9]/.test(src[i + 2] ?? '')));
      const text = p ?? ch;
      tokens.push({ kind: 'punct', text });
      i += text.length;
    }
  }
  return i;
}

/**
 * Whether a `/` after `prev` starts a regex literal rather than dividing. After `)`, `]`, `}`,
 * a literal or a name it divides: `(a) / 2`, `x[0] / y`; the rare regex there (`if (x) /re/…`)
 * would be misread as division, which only makes a few more names look read.
 */
function regexAllowed(prev: JsToken | undefined): boolean {
  if (!prev) return true;
  if (prev.kind === 'literal' || prev.kind === 'private') return false;
  if (prev.kind === 'ident') return REGEX_AFTER_WORDS.has(prev.text);
  return prev.text !== ')' && prev.text !== ']' && prev.text !== '}' && prev.text !== '++' && prev.text !== '--';
}

/** Given the index of a regex literal's opening `/`, returns the index after its flags. */
function skipRegex(src: string, open: number): number {
  let i = open + 1;
  let inClass = false;
  while (i < src.length && src[i] !== '\n') {
    const ch = src[i];
    if (ch === '\\') i += 2;
    else if (ch === '[') { inClass = true; i += 1; }
    else if (ch === ']') { inClass = false; i += 1; }
    else if (ch === '/' && !inClass) return i + 1 + IDENT_REST.exec(src.slice(i + 1))![0].length;
    else i += 1;
  }
  return i;
}

function skipString(src: string, open: number): number {
  const quote = src[open];
  let i = open + 1;
  while (i < src.length && src[i] !== quote) i += src[i] === '\\' ? 2 : 1;
  return i + 1;
}

/** Skips a template literal starting at `open`, appending `(` tokens `)` for each `${…}`; returns the index after it. */
function scanTemplate(src: string, open: number, tokens: JsToken[]): number {
  let i = open + 1;
  while (i < src.length) {
    const ch = src[i];
    if (ch === '\\') {
      i += 2;
    } else if (ch === '`') {
      return i + 1;
    } else if (ch === '$' && src[i + 1] === '{') {
      tokens.push({ kind: 'punct', text: '(' });
      i = scan(src, i + 2, true, tokens) + 1;
      tokens.push({ kind: 'punct', text: ')' });
    } else {
      i += 1;
    }
  }
  return i;
}

function pairBrackets(tokens: JsToken[]): Map<number, number> {
  const partner = new Map<number, number>();
  const open: number[] = [];
  const closes: Record<string, string> = { ')': '(', ']': '[', '}': '{' };
  tokens.forEach((t, i) => {
    if (t.kind !== 'punct') return;
    if (t.text === '(' || t.text === '[' || t.text === '{') {
      open.push(i);
    } else if (t.text in closes) {
      const o = open.length > 0 && tokens[open[open.length - 1]!]!.text === closes[t.text] ? open.pop()! : -1;
      partner.set(i, o);
      if (o !== -1) partner.set(o, i);
    }
  });
  for (const o of open) partner.set(o, -1);
  return partner;
}
