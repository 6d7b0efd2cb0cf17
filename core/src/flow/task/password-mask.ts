import type { FlowGraph, JsonValue } from '../../model/index.js';

/** What a password variable's value is shown as, wherever a task shows it. */
export const MASK = '******';
/**
 * Shorter values are masked only where they are a whole string: replacing every occurrence of
 * "ab" inside other text would garble it and tell by the gaps what the password is anyway.
 */
const MIN_EMBEDDED_LENGTH = 4;

/**
 * The values of a task's `password` variables: given at creation, their defaults, and what they
 * hold now (a default may be an expression rendered at the start event).
 */
export function passwordValues(graph: FlowGraph, ...sources: Record<string, JsonValue>[]): string[] {
  const found = new Set<string>();
  for (const [key, def] of Object.entries(graph.variables ?? {})) {
    if (def.type !== 'password') continue;
    for (const value of [def.value, ...sources.map((s) => (Object.hasOwn(s, key) ? s[key] : undefined))]) {
      if (typeof value === 'string' && value !== '') found.add(value);
    }
  }
  return longestFirst(found);
}

/** Distinct values, longest first, so a password that contains another is masked whole. */
export function longestFirst(values: Iterable<string>): string[] {
  return [...new Set(values)].sort((a, b) => b.length - a.length);
}

/** `value` with every password in `secrets` (also JSON-escaped, inside text) replaced by {@link MASK}, at any depth; keys are left alone. */
export function maskPasswords<T>(value: T, secrets: readonly string[]): T {
  if (secrets.length === 0) return value;
  // A password holding `"` or `\` appears escaped in text that holds it as JSON: an object or list
  // interpolated into a string (`login ${creds}`), or a plugin's message quoting its input.
  const embedded = longestFirst(secrets.flatMap((s) => [s, JSON.stringify(s).slice(1, -1)]).filter((s) => s.length >= MIN_EMBEDDED_LENGTH));
  const maskText = (text: string): string => {
    if (secrets.includes(text)) return MASK;
    for (const s of embedded) if (text.includes(s)) text = text.split(s).join(MASK);
    return text;
  };
  // A walk with its own stack, not recursion: an expression's or a plugin's result may nest
  // thousands of levels deep, past the call stack, and the task's views then failed with a 500.
  const root: Record<string, unknown> = { value };
  const pending: [Record<string, unknown> | unknown[], string | number][] = [[root, 'value']];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const [holder, key] = next;
    const v = (holder as Record<string | number, unknown>)[key];
    let copy: Record<string, unknown> | unknown[];
    if (typeof v === 'string') {
      (holder as Record<string | number, unknown>)[key] = maskText(v);
      continue;
    } else if (Array.isArray(v)) {
      copy = v.slice();
    } else if (v !== null && typeof v === 'object') {
      // fromEntries defines each key, `__proto__` included, as an own property (assigning to it later sets that property).
      copy = Object.fromEntries(Object.entries(v));
    } else {
      continue;
    }
    (holder as Record<string | number, unknown>)[key] = copy;
    for (const inner of Object.keys(copy)) pending.push([copy, Array.isArray(copy) ? Number(inner) : inner]);
  }
  return root.value as T;
}
