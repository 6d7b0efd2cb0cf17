/**
 * Autocomplete of variable references: when the caret sits inside `${…`, offers the flow's
 * variables (and the engine's built-ins) that start with what was typed.
 */

/** One suggestion and the text range it replaces. */
export interface Suggestions {
  /** Offset where the typed name starts (just after `${` or after an operator inside it). */
  from: number;
  /** Offset of the caret. */
  to: number;
  items: string[];
}

/**
 * Names every expression can use, beside the flow's own variables. (`_result` and `_loop` are not:
 * they are node outputs, read once a node's outputs map them into a variable.)
 */
export const BUILTIN_NAMES = ['_system'];

/**
 * Suggestions at `caret` in `text`, or undefined when the caret is not inside an open `${`.
 *
 * @example
 * suggestVariables('echo ${ho', 9, ['hosts', 'home_dir', 'port']) // { from: 7, to: 9, items: ['home_dir', 'hosts'] }
 */
export function suggestVariables(text: string, caret: number, variables: readonly string[], limit = 12): Suggestions | undefined {
  const before = text.slice(0, caret);
  const open = before.lastIndexOf('${');
  if (open === -1 || (open > 0 && before[open - 1] === '$')) return undefined;
  if (before.indexOf('}', open) !== -1) return undefined;
  const m = /[A-Za-z_$][\w$]*$/.exec(before.slice(open + 2));
  const typed = m ? m[0] : '';
  // After a dot we would need the value's members, which only exist at run time.
  const charBefore = before[caret - typed.length - 1];
  if (charBefore === '.') return undefined;
  const lower = typed.toLowerCase();
  const names = [...new Set([...variables, ...BUILTIN_NAMES])];
  const items = names.filter((n) => n.toLowerCase().startsWith(lower) && n !== typed).sort((a, b) => a.localeCompare(b)).slice(0, limit);
  if (items.length === 0) return undefined;
  return { from: caret - typed.length, to: caret, items };
}

/** Inserts a suggestion, closing the `${` when it is not closed yet; returns the new text and caret. */
export function applySuggestion(text: string, s: Suggestions, name: string): { text: string; caret: number } {
  const after = text.slice(s.to);
  const closes = /^[\w$]*\s*[^\s\w$]/.test(after) && after.includes('}');
  const insert = closes ? name : `${name}}`;
  const rest = after.replace(/^[\w$]*/, '');
  return { text: text.slice(0, s.from) + insert + rest, caret: s.from + insert.length };
}
