import { PluginFailure } from '@opsloom/plugin-sdk';

/** One step of a path: a property name or an array index (negative counts from the end). */
export type PathStep = { key: string } | { index: number };

const NAME = /^[A-Za-z_$][A-Za-z0-9_$-]*/;

/**
 * Parses the JSON-path subset: `$`, `.name`, `['name']` / `["name"]` and `[n]` / `[-n]`.
 * Filters, wildcards and recursive descent are deliberately out: extraction picks one value.
 * @example parseJsonPath('$.data.items[0]["id"]') // [{key:'data'},{key:'items'},{index:0},{key:'id'}]
 */
export function parseJsonPath(path: string): PathStep[] {
  const bad = (why: string): never => {
    throw new PluginFailure('JSON_PATH_INVALID', `JSON path "${path}" ${why}; write it like $.data.items[0].id`);
  };
  if (path.length > 512) bad('is longer than 512 characters');
  if (path[0] !== '$') bad('must start with $');
  const steps: PathStep[] = [];
  let i = 1;
  while (i < path.length) {
    const c = path[i];
    if (c === '.') {
      const m = NAME.exec(path.slice(i + 1));
      if (!m) bad(`has no property name after "." at position ${i}`);
      steps.push({ key: m![0] });
      i += 1 + m![0].length;
    } else if (c === '[') {
      const close = path.indexOf(']', i);
      if (close < 0) bad(`has an unclosed "[" at position ${i}`);
      const inner = path.slice(i + 1, close).trim();
      if (/^-?\d{1,9}$/.test(inner)) steps.push({ index: Number(inner) });
      else if (/^'[^']*'$/.test(inner) || /^"[^"]*"$/.test(inner)) steps.push({ key: inner.slice(1, -1) });
      else bad(`has "[${inner}]": only [number] and ['name'] are supported`);
      i = close + 1;
    } else {
      bad(`has an unexpected "${c}" at position ${i}`);
    }
  }
  return steps;
}

/** Follows parsed steps; `undefined` when a step does not exist. Own properties only. */
export function evaluate(value: unknown, steps: PathStep[]): unknown {
  let cur = value;
  for (const step of steps) {
    if ('index' in step) {
      if (!Array.isArray(cur)) return undefined;
      const at = step.index < 0 ? cur.length + step.index : step.index;
      if (at < 0 || at >= cur.length) return undefined;
      cur = cur[at];
    } else {
      if (cur === null || typeof cur !== 'object' || Array.isArray(cur) || !Object.prototype.hasOwnProperty.call(cur, step.key)) return undefined;
      cur = (cur as Record<string, unknown>)[step.key];
    }
  }
  return cur;
}
