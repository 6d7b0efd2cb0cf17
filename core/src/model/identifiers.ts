/**
 * Finds the variables a JavaScript expression reads: the root identifiers (`a` in `a.b[0]`) that
 * are neither JavaScript globals, keywords, object-literal keys nor arrow-function parameters.
 *
 * This is a small tokenizer, not a parser: it is exact for the expressions people write in flows
 * (member access, calls, operators, literals, arrow callbacks) and errs towards reporting fewer
 * names for exotic code (regex literals, destructuring patterns), so validation never cries wolf
 * on a correct flow. The sandbox is the final judge at run time.
 */

/** Names every expression may use without declaring them: the standard JavaScript globals. */
export const JAVASCRIPT_GLOBALS: ReadonlySet<string> = new Set([
  'undefined', 'NaN', 'Infinity', 'globalThis',
  'Object', 'Function', 'Array', 'Number', 'String', 'Boolean', 'Symbol', 'BigInt', 'Date', 'RegExp',
  'Math', 'JSON', 'Intl', 'Map', 'Set', 'WeakMap', 'WeakSet', 'Promise', 'Reflect', 'Proxy',
  'Error', 'TypeError', 'RangeError', 'SyntaxError', 'ReferenceError', 'EvalError', 'URIError', 'AggregateError',
  'ArrayBuffer', 'DataView', 'Uint8Array', 'Int8Array', 'Uint16Array', 'Int16Array', 'Uint32Array', 'Int32Array',
  'Float32Array', 'Float64Array', 'Uint8ClampedArray', 'BigInt64Array', 'BigUint64Array',
  'parseInt', 'parseFloat', 'isNaN', 'isFinite', 'encodeURI', 'encodeURIComponent', 'decodeURI',
  'decodeURIComponent', 'escape', 'unescape', 'eval',
]);

const KEYWORDS: ReadonlySet<string> = new Set([
  'true', 'false', 'null', 'this', 'typeof', 'instanceof', 'in', 'of', 'new', 'void', 'delete', 'function',
  'return', 'if', 'else', 'for', 'while', 'do', 'let', 'const', 'var', 'class', 'async', 'await', 'yield',
  'super', 'switch', 'case', 'default', 'break', 'continue', 'throw', 'try', 'catch', 'finally', 'import',
  'export', 'extends', 'with', 'debugger', 'static', 'get', 'set',
]);

/** What an expression reads: root names, and dotted paths from them (for autocomplete). */
export interface ExpressionVariables {
  /** Root variable names, deduplicated, in first-use order (`_system` for `_system.task_id`). */
  roots: string[];
  /** Dotted member paths as written, deduplicated (`_system.task_id`, `hosts`). */
  paths: string[];
}

type Token = { kind: 'ident' | 'punct' | 'literal'; text: string };

/**
 * Lists the variables `expression` reads.
 *
 * @example
 * expressionVariables('hosts.map(h => h.ip).join(",") + _system.task_id')
 * // { roots: ['hosts', '_system'], paths: ['hosts.map', '_system.task_id'] }
 */
export function expressionVariables(expression: string): ExpressionVariables {
  const roots: string[] = [];
  const paths: string[] = [];
  collect(tokenize(expression), roots, paths);
  return { roots: dedupe(roots), paths: dedupe(paths) };
}

function dedupe(list: string[]): string[] {
  return [...new Set(list)];
}

function collect(tokens: Token[], roots: string[], paths: string[]): void {
  const params = arrowParams(tokens);
  const brackets: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const tok = tokens[i]!;
    if (tok.kind === 'punct') {
      if (tok.text === '(' || tok.text === '[' || tok.text === '{') brackets.push(tok.text);
      else if (tok.text === ')' || tok.text === ']' || tok.text === '}') brackets.pop();
      continue;
    }
    if (tok.kind !== 'ident') continue;
    const prev = tokens[i - 1];
    const next = tokens[i + 1];
    if (prev && prev.kind === 'punct' && (prev.text === '.' || prev.text === '?.')) continue;
    if (KEYWORDS.has(tok.text) || JAVASCRIPT_GLOBALS.has(tok.text) || params.has(tok.text)) continue;
    const isKey = next?.text === ':' && brackets[brackets.length - 1] === '{' &&
      (prev?.text === '{' || prev?.text === ',');
    if (isKey) continue;
    roots.push(tok.text);
    let path = tok.text;
    for (let j = i + 1; j + 1 < tokens.length; j += 2) {
      const dot = tokens[j]!;
      const member = tokens[j + 1]!;
      if (dot.kind !== 'punct' || (dot.text !== '.' && dot.text !== '?.') || member.kind !== 'ident') break;
      path += `.${member.text}`;
    }
    paths.push(path);
  }
}

/** Identifiers bound as arrow-function parameters anywhere in the expression (`x => …`, `(a, b) => …`). */
function arrowParams(tokens: Token[]): Set<string> {
  const params = new Set<string>();
  for (let i = 0; i < tokens.length; i++) {
    if (tokens[i]!.text !== '=>') continue;
    const prev = tokens[i - 1];
    if (!prev) continue;
    if (prev.kind === 'ident') {
      params.add(prev.text);
      continue;
    }
    if (prev.text !== ')') continue;
    let depth = 0;
    for (let j = i - 1; j >= 0; j--) {
      const t = tokens[j]!;
      if (t.text === ')' || t.text === ']' || t.text === '}') depth += 1;
      else if (t.text === '(' || t.text === '[' || t.text === '{') {
        depth -= 1;
        if (depth === 0) break;
      } else if (t.kind === 'ident' && tokens[j - 1]?.text !== '=') params.add(t.text);
    }
  }
  return params;
}

const PUNCTUATORS = ['...', '?.', '=>', '===', '!==', '==', '!=', '<=', '>=', '&&', '||', '??', '**'];

/** Splits an expression into tokens; the code of a template literal's `${…}` parts comes out parenthesised. */
function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
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
    } else if (ch === '"' || ch === "'") {
      i = skipString(src, i);
      tokens.push({ kind: 'literal', text: 'string' });
    } else if (ch === '`') {
      tokens.push({ kind: 'literal', text: 'template' });
      i = scanTemplateLiteral(src, i, tokens);
    } else if (/[0-9]/.test(ch) || (ch === '.' && /[0-9]/.test(src[i + 1] ?? ''))) {
      const m = /^[0-9.]*[0-9a-zA-Z_.]*/.exec(src.slice(i))!;
      i += Math.max(1, m[0].length);
      tokens.push({ kind: 'literal', text: 'number' });
    } else if (/[A-Za-z_$\u0080-\uffff]/.test(ch)) {
      const m = /^[A-Za-z_$\u0080-\uffff][\w$\u0080-\uffff]*/.exec(src.slice(i))!;
      tokens.push({ kind: 'ident', text: m[0] });
      i += m[0].length;
    } else {
      const p = PUNCTUATORS.find((x) => src.startsWith(x, i) && !(x === '?.' && /[0-9]/.test(src[i + 2] ?? '')));
      const text = p ?? ch;
      tokens.push({ kind: 'punct', text });
      i += text.length;
    }
  }
  return tokens;
}

function skipString(src: string, open: number): number {
  const quote = src[open];
  let i = open + 1;
  while (i < src.length && src[i] !== quote) i += src[i] === '\\' ? 2 : 1;
  return i + 1;
}

/** Skips a template literal starting at `open`, appending the tokens of its `${…}` parts; returns the index after it. */
function scanTemplateLiteral(src: string, open: number, tokens: Token[]): number {
  let i = open + 1;
  while (i < src.length) {
    const ch = src[i];
    if (ch === '\\') {
      i += 2;
    } else if (ch === '`') {
      return i + 1;
    } else if (ch === '$' && src[i + 1] === '{') {
      let depth = 0;
      let j = i + 2;
      for (; j < src.length; j++) {
        const c = src[j];
        if (c === '"' || c === "'") j = skipString(src, j) - 1;
        else if (c === '`') j = scanTemplateLiteral(src, j, []) - 1;
        else if (c === '{') depth += 1;
        else if (c === '}') {
          if (depth === 0) break;
          depth -= 1;
        }
      }
      tokens.push({ kind: 'punct', text: '(' }, ...tokenize(src.slice(i + 2, j)), { kind: 'punct', text: ')' });
      i = j + 1;
    } else {
      i += 1;
    }
  }
  return i;
}
