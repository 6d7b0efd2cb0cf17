/** Label keys: letters, digits, `_ . - /`, starting and ending with a letter or digit (at most 63). */
export const LABEL_KEY = /^[A-Za-z0-9](?:[A-Za-z0-9_./-]{0,61}[A-Za-z0-9])?$/;
/** Label values: letters, digits, `_ . -` (1–63 characters). */
export const LABEL_VALUE = /^[A-Za-z0-9_.-]{1,63}$/;

/** One requirement of a selector, as Kubernetes label selectors write them. */
export type LabelRequirement =
  | { key: string; op: '=' | '!='; value: string }
  | { key: string; op: 'in' | 'notin'; values: string[] }
  | { key: string; op: 'exists' | '!exists' };

/** Thrown when a selector does not parse; `position` is the 0-based offset of the problem. */
export class LabelSelectorError extends Error {
  readonly code = 'invalid_selector';
  constructor(message: string, readonly position: number) {
    super(message);
    this.name = 'LabelSelectorError';
  }
}

/**
 * Parses a label selector: requirements separated by commas, all of which must hold —
 * `key=value` (or `==`), `key!=value`, `key in (a,b)`, `key notin (a,b)`, `key` (has the label)
 * and `!key` (lacks it). `!=` and `notin` also match hosts without the label.
 *
 * @example parseLabelSelector('env=prod,role in (web,api),!draining')
 * @throws LabelSelectorError naming the position and what was expected
 */
export function parseLabelSelector(text: string): LabelRequirement[] {
  const out: LabelRequirement[] = [];
  let i = 0;
  const skipSpace = () => { while (i < text.length && /\s/.test(text[i]!)) i++; };
  const fail = (what: string): never => {
    throw new LabelSelectorError(`label selector: ${what} at position ${i + 1} of "${text}"`, i);
  };
  const word = (kind: 'key' | 'value'): string => {
    skipSpace();
    const start = i;
    while (i < text.length && /[A-Za-z0-9_./-]/.test(text[i]!)) i++;
    const w = text.slice(start, i);
    if (!w) fail(`expected a label ${kind}`);
    if (!(kind === 'key' ? LABEL_KEY : LABEL_VALUE).test(w)) {
      i = start;
      fail(`"${w}" is not a valid label ${kind}`);
    }
    return w;
  };
  skipSpace();
  if (i === text.length) return out;
  for (;;) {
    skipSpace();
    if (text[i] === '!') {
      i++;
      out.push({ key: word('key'), op: '!exists' });
    } else {
      const key = word('key');
      skipSpace();
      if (text.startsWith('!=', i)) {
        i += 2;
        out.push({ key, op: '!=', value: word('value') });
      } else if (text.startsWith('==', i) || text[i] === '=') {
        i += text.startsWith('==', i) ? 2 : 1;
        out.push({ key, op: '=', value: word('value') });
      } else if (/^(in|notin)\s*\(/.test(text.slice(i))) {
        const op = text.startsWith('notin', i) ? 'notin' : 'in';
        i += op.length;
        skipSpace();
        i++; // the '('
        const values: string[] = [];
        for (;;) {
          values.push(word('value'));
          skipSpace();
          if (text[i] === ',') { i++; continue; }
          if (text[i] === ')') { i++; break; }
          fail('expected "," or ")"');
        }
        out.push({ key, op, values });
      } else if (i === text.length || text[i] === ',') {
        out.push({ key, op: 'exists' });
      } else {
        fail('expected "=", "!=", "in (…)", "notin (…)" or ","');
      }
    }
    skipSpace();
    if (i === text.length) return out;
    if (text[i] !== ',') fail('expected ","');
    i++;
  }
}

/** Requirements equivalent to "every label in `labels` has this value". */
export function equalityRequirements(labels: Record<string, string>): LabelRequirement[] {
  return Object.entries(labels).map(([key, value]) => ({ key, op: '=' as const, value }));
}

/** True when `labels` satisfy every requirement. */
export function matchesLabels(requirements: readonly LabelRequirement[], labels: Readonly<Record<string, string>>): boolean {
  return requirements.every((r) => {
    const has = Object.hasOwn(labels, r.key);
    const v = has ? labels[r.key] : undefined;
    switch (r.op) {
      case '=': return v === r.value;
      case '!=': return v !== r.value;
      case 'in': return v !== undefined && r.values.includes(v);
      case 'notin': return v === undefined || !r.values.includes(v);
      case 'exists': return has;
      case '!exists': return !has;
    }
  });
}

/** The canonical text of requirements (what a saved group shows). */
export function formatLabelSelector(requirements: readonly LabelRequirement[]): string {
  return requirements.map((r) => {
    switch (r.op) {
      case '=': case '!=': return `${r.key}${r.op}${r.value}`;
      case 'in': case 'notin': return `${r.key} ${r.op} (${r.values.join(',')})`;
      case 'exists': return r.key;
      case '!exists': return `!${r.key}`;
    }
  }).join(',');
}
