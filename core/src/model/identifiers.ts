/**
 * Finds the variables a JavaScript expression reads: the free names (`a` in `a.b[0]`) that are
 * neither JavaScript globals, keywords, nor bound inside the expression itself.
 *
 * It is a scope analysis over tokens ({@link ./js-tokens.ts}), not a full parser, and it never
 * evaluates anything. Bindings it understands: function, arrow, method and catch parameters
 * (destructuring and defaults included), `var` / `let` / `const` / function / class declarations
 * (scoped to their block), labels; object-literal keys, method and accessor names, class members
 * and member names after `.` are not reads. When it cannot tell, it errs towards reporting a name
 * (a bound name reported as unknown), never towards letting a free name through: a binding only
 * ever covers the brackets it was declared in.
 */
import type { JsToken } from './js-tokens.js';
import { tokenizeJs } from './js-tokens.js';

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

/** Words that are never variables. `get`, `set`, `static`, `async` and `of` are names too, except where they act as keywords. */
const KEYWORDS: ReadonlySet<string> = new Set([
  'true', 'false', 'null', 'this', 'typeof', 'instanceof', 'in', 'new', 'void', 'delete', 'function',
  'return', 'if', 'else', 'for', 'while', 'do', 'let', 'const', 'var', 'class', 'await', 'yield',
  'super', 'switch', 'case', 'default', 'break', 'continue', 'throw', 'try', 'catch', 'finally', 'import',
  'export', 'extends', 'with', 'debugger', 'enum',
]);

/** What an expression reads: root names, and dotted paths from them (for autocomplete). */
export interface ExpressionVariables {
  /** Root variable names, deduplicated, in first-use order (`_system` for `_system.task_id`). */
  roots: string[];
  /** Dotted member paths as written, deduplicated (`_system.task_id`, `hosts`). */
  paths: string[];
}

/**
 * Lists the variables `expression` reads.
 *
 * @example
 * expressionVariables('hosts.map(function (h) { return h.ip }).join(",") + _system.task_id')
 * // { roots: ['hosts', '_system'], paths: ['hosts.map', '_system.task_id'] }
 */
export function expressionVariables(expression: string): ExpressionVariables {
  const { tokens, partner } = tokenizeJs(expression);
  const scan = new ScopeScan(tokens, partner);
  scan.run();
  const roots: string[] = [];
  const paths: string[] = [];
  tokens.forEach((tok, i) => {
    if (tok.kind !== 'ident' || scan.notRead.has(i) || KEYWORDS.has(tok.text) || JAVASCRIPT_GLOBALS.has(tok.text)) return;
    if (scan.isBound(tok.text, i)) return;
    roots.push(tok.text);
    let path = tok.text;
    for (let j = i + 1; j + 1 < tokens.length; j += 2) {
      const dot = tokens[j]!;
      const member = tokens[j + 1]!;
      if (dot.kind !== 'punct' || (dot.text !== '.' && dot.text !== '?.') || member.kind !== 'ident') break;
      path += `.${member.text}`;
    }
    paths.push(path);
  });
  return { roots: [...new Set(roots)], paths: [...new Set(paths)] };
}

/** A name bound from token `from` to token `to` (inclusive). */
interface Binding {
  name: string;
  from: number;
  to: number;
}

/** An open bracket while scanning: what it holds, and the state the scan keeps per bracket. */
interface Frame {
  open: number;
  kind: 'paren' | 'bracket' | 'block' | 'object' | 'class';
  /** Object / class body: the next token starts a key (after `{`, `,`, or `;` in a class). */
  atKey: boolean;
  /** Pending `?` of conditional expressions, so a `:` can be told from a label's or a key's. */
  ternaries: number;
  /** The head of a `for (…)`: its declarations reach into the loop body. */
  forHead: boolean;
}

const OPENERS = new Set(['(', '[', '{']);
const CLOSERS = new Set([')', ']', '}']);
const KEY_MODIFIERS = new Set(['get', 'set', 'async', 'static']);

/** One pass over the tokens that records bindings and the tokens that are not reads. */
class ScopeScan {
  /** Token indices that are bindings, keys, labels or member names: not reads. */
  readonly notRead = new Set<number>();
  readonly #bindings: Binding[] = [];
  readonly #frames: Frame[];
  #classBody = -1;

  constructor(private readonly tokens: JsToken[], private readonly partner: Map<number, number>) {
    // The whole expression sits in `( … )` when it runs.
    this.#frames = [{ open: -1, kind: 'paren', atKey: false, ternaries: 0, forHead: false }];
  }

  isBound(name: string, at: number): boolean {
    return this.#bindings.some((b) => b.name === name && b.from <= at && at <= b.to);
  }

  run(): void {
    const { tokens } = this;
    for (let i = 0; i < tokens.length; i++) {
      const tok = tokens[i]!;
      const frame = this.#frames[this.#frames.length - 1]!;
      if ((frame.kind === 'object' || frame.kind === 'class') && frame.atKey && !CLOSERS.has(tok.text)) {
        this.#key(i, frame);
        if (tok.kind !== 'punct' || tok.text !== '[') continue;
      }
      if (tok.kind === 'punct') this.#punct(i, frame);
      else if (tok.kind === 'ident') this.#word(i, frame);
    }
  }

  #punct(i: number, frame: Frame): void {
    const { text } = this.tokens[i]!;
    const prev = this.tokens[i - 1];
    if (text === '(') {
      this.#push(i, 'paren', prev?.kind === 'ident' && prev.text === 'for');
      const close = this.#close(i);
      if (this.tokens[close + 1]?.text === '=>') this.#params(i, { from: i, to: this.#arrowBodyEnd(close + 2) });
    } else if (text === '[') {
      this.#push(i, 'bracket');
    } else if (text === '{') {
      const kind = i === this.#classBody ? 'class' : this.#isBlock(i, frame) ? 'block' : 'object';
      this.#push(i, kind);
    } else if (CLOSERS.has(text)) {
      if (this.#frames.length > 1) this.#frames.pop();
    } else if (text === ',' || (text === ';' && frame.kind === 'class')) {
      if (frame.kind === 'object' || frame.kind === 'class') frame.atKey = true;
    } else if (text === '?') {
      frame.ternaries += 1;
    } else if (text === ':' && frame.ternaries > 0) {
      frame.ternaries -= 1;
    } else if (text === '.' || text === '?.') {
      if (this.tokens[i + 1]?.kind === 'ident') this.notRead.add(i + 1);
    }
  }

  #word(i: number, frame: Frame): void {
    const { tokens } = this;
    const { text } = tokens[i]!;
    const next = tokens[i + 1];
    if (text === 'function') this.#function(i, frame);
    else if (text === 'class') this.#class(i, frame);
    else if (text === 'var' || text === 'let' || text === 'const') this.#declaration(i, frame);
    else if (text === 'catch' && next?.text === '(') {
      const body = this.#close(i + 1) + 1;
      this.#pattern(i + 2, { from: i + 1, to: this.#close(body) });
    } else if ((text === 'break' || text === 'continue') && next?.kind === 'ident' && !KEYWORDS.has(next.text)) {
      this.notRead.add(i + 1);
    } else if (text === 'async' && (next?.text === 'function' || (next?.kind === 'ident' && tokens[i + 2]?.text === '=>') ||
      (next?.text === '(' && tokens[this.#close(i + 1) + 1]?.text === '=>'))) {
      this.notRead.add(i);
    } else if (text === 'of' && frame.forHead) {
      this.notRead.add(i);
    } else if (next?.text === '=>' && !KEYWORDS.has(text)) {
      this.#bind(text, i, { from: i, to: this.#arrowBodyEnd(i + 2) });
    } else if (next?.text === ':' && frame.kind === 'block' && frame.ternaries === 0 && this.#atStatementStart(i, frame)) {
      this.notRead.add(i); // a label
    }
  }

  /** A token where an object literal or class body expects a key. */
  #key(i: number, frame: Frame): void {
    const tok = this.tokens[i]!;
    const next = this.tokens[i + 1];
    if (tok.kind === 'punct') {
      if (tok.text === '[') {
        frame.atKey = false;
        const close = this.#close(i);
        if (this.tokens[close + 1]?.text === '(') this.#method(close + 1);
      } else if (tok.text !== '*' && tok.text !== ';') {
        frame.atKey = false; // `...spread`
      }
      return;
    }
    const keyLike = next !== undefined && (next.kind !== 'punct' || next.text === '[' || next.text === '*' || (next.text === '{' && tok.text === 'static'));
    if (tok.kind === 'ident' && KEY_MODIFIERS.has(tok.text) && keyLike) {
      this.notRead.add(i);
      if (next.text === '{') frame.atKey = false; // a static initialisation block
      return;
    }
    frame.atKey = false;
    if (next?.text === ':') this.notRead.add(i);
    else if (next?.text === '(') {
      this.notRead.add(i);
      this.#method(i + 1);
    } else if (frame.kind === 'class') this.notRead.add(i); // a field, with or without initialiser
  }

  #function(i: number, frame: Frame): void {
    let j = i + 1;
    if (this.tokens[j]?.text === '*') j += 1;
    const nameAt = this.tokens[j]?.kind === 'ident' ? j : -1;
    if (nameAt !== -1) j += 1;
    if (this.tokens[j]?.text !== '(') return;
    const bodyEnd = this.#method(j);
    if (nameAt === -1) return;
    this.notRead.add(nameAt);
    const start = this.tokens[i - 1]?.text === 'async' ? i - 1 : i;
    const declared = this.#atStatementStart(start, frame);
    this.#bind(this.tokens[nameAt]!.text, nameAt, declared ? this.#frameRange(frame) : { from: i, to: bodyEnd });
  }

  #class(i: number, frame: Frame): void {
    const named = this.tokens[i + 1]?.kind === 'ident' && this.tokens[i + 1]!.text !== 'extends';
    let k = named ? i + 2 : i + 1;
    while (k < this.tokens.length && this.tokens[k]!.text !== '{') k = OPENERS.has(this.tokens[k]!.text) ? this.#close(k) + 1 : k + 1;
    this.#classBody = k;
    if (!named) return;
    this.notRead.add(i + 1);
    const range = this.#atStatementStart(i, frame) ? this.#frameRange(frame) : { from: i, to: this.#close(k) };
    this.#bind(this.tokens[i + 1]!.text, i + 1, range);
  }

  /** `var` / `let` / `const`: bound in their block (a `var` too: a read after the block is reported), or a `for` head and its body. */
  #declaration(i: number, frame: Frame): void {
    let range: { from: number; to: number };
    if (frame.kind === 'paren' && frame.forHead) range = { from: frame.open, to: this.#forBodyEnd(this.#close(frame.open)) };
    else if (frame.kind === 'block') range = this.#frameRange(frame);
    else return;
    let j = i + 1;
    for (;;) {
      j = this.#pattern(j, range);
      if (this.tokens[j]?.text === '=') j = this.#skipExpression(j + 1);
      if (this.tokens[j]?.text !== ',') return;
      j += 1;
    }
  }

  /** Binds the parameters of the list opening at `paren` and of its body; returns the body's end. */
  #method(paren: number): number {
    const body = this.#close(paren) + 1;
    const end = this.tokens[body]?.text === '{' ? this.#close(body) : this.tokens.length - 1;
    this.#params(paren, { from: paren, to: end });
    this.#bindings.push({ name: 'arguments', from: paren, to: end });
    return end;
  }

  #params(paren: number, range: { from: number; to: number }): void {
    const close = this.#close(paren);
    let k = paren + 1;
    while (k < close) {
      const before = k;
      if (this.tokens[k]!.text === '...') k += 1;
      k = this.#pattern(k, range);
      if (this.tokens[k]?.text === '=') k = this.#skipExpression(k + 1);
      if (this.tokens[k]?.text === ',') k += 1;
      else if (k < close) k = this.#skipExpression(k);
      if (k === before) k += 1;
    }
  }

  /** Binds the names of the binding pattern at `j` (a name, `[…]` or `{…}`); returns the index after it. */
  #pattern(j: number, range: { from: number; to: number }): number {
    const tok = this.tokens[j];
    if (!tok) return j;
    if (tok.kind === 'ident' && !KEYWORDS.has(tok.text)) {
      this.#bind(tok.text, j, range);
      return j + 1;
    }
    if (tok.text !== '[' && tok.text !== '{') return j + 1;
    const close = this.#close(j);
    let k = j + 1;
    while (k < close) {
      const before = k;
      const t = this.tokens[k]!;
      if (t.text === ',') {
        k += 1;
        continue;
      }
      if (t.text === '...') k = this.#pattern(k + 1, range);
      else if (tok.text === '[') k = this.#pattern(k, range);
      else if (t.text === '[') k = this.tokens[this.#close(k) + 1]?.text === ':' ? this.#pattern(this.#close(k) + 2, range) : this.#close(k) + 1;
      else if (this.tokens[k + 1]?.text === ':') {
        if (t.kind === 'ident') this.notRead.add(k);
        k = this.#pattern(k + 2, range);
      } else k = this.#pattern(k, range); // shorthand
      if (this.tokens[k]?.text === '=') k = this.#skipExpression(k + 1);
      if (k < close && this.tokens[k]?.text !== ',') k = this.#skipExpression(k);
      if (k === before) k += 1;
    }
    return close + 1;
  }

  #bind(name: string, at: number, range: { from: number; to: number }): void {
    this.notRead.add(at);
    this.#bindings.push({ name, from: range.from, to: range.to });
  }

  #push(open: number, kind: Frame['kind'], forHead = false): void {
    this.#frames.push({ open, kind, atKey: kind === 'object' || kind === 'class', ternaries: 0, forHead });
  }

  /** The partner of the bracket at `i`; the last token when it has none. */
  #close(i: number): number {
    const p = this.partner.get(i);
    return p === undefined || p === -1 ? this.tokens.length - 1 : p;
  }

  #frameRange(frame: Frame): { from: number; to: number } {
    return frame.open === -1 ? { from: 0, to: this.tokens.length - 1 } : { from: frame.open, to: this.#close(frame.open) };
  }

  /** Whether `{` at `i` opens a block (function body, statement block) rather than an object literal. */
  #isBlock(i: number, frame: Frame): boolean {
    const prev = this.tokens[i - 1];
    if (!prev) return false;
    if (prev.kind === 'ident') return prev.text === 'else' || prev.text === 'try' || prev.text === 'finally' || prev.text === 'do' || prev.text === 'static';
    if (prev.kind !== 'punct') return false;
    if (prev.text === ')' || prev.text === '=>') return true;
    if (frame.kind !== 'block') return false;
    return prev.text === '{' || prev.text === '}' || prev.text === ';' || (prev.text === ':' && frame.ternaries === 0);
  }

  #atStatementStart(i: number, frame: Frame): boolean {
    if (frame.kind !== 'block') return false;
    const prev = this.tokens[i - 1];
    return i - 1 === frame.open || prev?.text === ';' || prev?.text === '}';
  }

  /** The last token of an arrow function's body starting at `k`: a block, or an assignment expression. */
  #arrowBodyEnd(k: number): number {
    if (this.tokens[k]?.text === '{') return this.#close(k);
    let ternaries = 0;
    while (k < this.tokens.length) {
      const { text } = this.tokens[k]!;
      if (OPENERS.has(text)) {
        k = this.#close(k) + 1;
        continue;
      }
      if (text === '?') ternaries += 1;
      else if (text === ':' && ternaries > 0) ternaries -= 1;
      else if (text === ':' || text === ',' || text === ';' || CLOSERS.has(text)) return k - 1;
      k += 1;
    }
    return this.tokens.length - 1;
  }

  /** The last token of the statement a `for (…)` head closing at `close` governs. */
  #forBodyEnd(close: number): number {
    if (this.tokens[close + 1]?.text === '{') return this.#close(close + 1);
    let k = close + 1;
    while (k < this.tokens.length && this.tokens[k]!.text !== ';' && !CLOSERS.has(this.tokens[k]!.text)) {
      k = OPENERS.has(this.tokens[k]!.text) ? this.#close(k) + 1 : k + 1;
    }
    return k;
  }

  /** The index of the `,`, `;`, closing bracket, `in` or `of` that ends the expression starting at `k`. */
  #skipExpression(k: number): number {
    while (k < this.tokens.length) {
      const t = this.tokens[k]!;
      if (OPENERS.has(t.text) && t.kind === 'punct') {
        k = this.#close(k) + 1;
        continue;
      }
      if ((t.kind === 'punct' && (t.text === ',' || t.text === ';' || CLOSERS.has(t.text))) || (t.kind === 'ident' && (t.text === 'of' || t.text === 'in'))) return k;
      k += 1;
    }
    return k;
  }
}
