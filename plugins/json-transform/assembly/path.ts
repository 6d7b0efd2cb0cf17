// The JSON-path subset: $, .name, ['name'] / ["name"], [n] and [-n] (from the end).
import { JsonValue, KIND_ARRAY, KIND_OBJECT } from './json';

export class Step {
  constructor(public isIndex: bool, public key: string, public index: i32) {}
}

/** Parse result: steps, or an error message. */
export class ParsedPath {
  steps: Step[] = [];
  error: string = '';
}

function isNameStart(c: i32): bool {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c == 95 || c == 36;
}

function isNamePart(c: i32): bool {
  return isNameStart(c) || (c >= 48 && c <= 57) || c == 45;
}

function isInteger(s: string): bool {
  const start = s.length > 0 && s.charCodeAt(0) == 45 ? 1 : 0;
  if (s.length == start || s.length - start > 9) return false;
  for (let i = start; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

export function parsePath(path: string): ParsedPath {
  const r = new ParsedPath();
  if (path.length == 0 || path.charCodeAt(0) != 36) {
    r.error = 'must start with $';
    return r;
  }
  if (path.length > 512) {
    r.error = 'is longer than 512 characters';
    return r;
  }
  let i = 1;
  while (i < path.length) {
    const c = path.charCodeAt(i);
    if (c == 46) {
      let j = i + 1;
      if (j >= path.length || !isNameStart(path.charCodeAt(j))) {
        r.error = 'has no property name after "." at position ' + i.toString();
        return r;
      }
      while (j < path.length && isNamePart(path.charCodeAt(j))) j++;
      r.steps.push(new Step(false, path.substring(i + 1, j), 0));
      i = j;
    } else if (c == 91) {
      const close = path.indexOf(']', i);
      if (close < 0) {
        r.error = 'has an unclosed "[" at position ' + i.toString();
        return r;
      }
      const inner = path.substring(i + 1, close).trim();
      const q = inner.length >= 2 ? inner.charCodeAt(0) : 0;
      if (isInteger(inner)) {
        r.steps.push(new Step(true, '', <i32>parseInt(inner, 10)));
      } else if ((q == 39 || q == 34) && inner.charCodeAt(inner.length - 1) == q && inner.substring(1, inner.length - 1).indexOf(String.fromCharCode(q)) < 0) {
        r.steps.push(new Step(false, inner.substring(1, inner.length - 1), 0));
      } else {
        r.error = 'has "[' + inner + ']": only [number] and [\'name\'] are supported';
        return r;
      }
      i = close + 1;
    } else {
      r.error = 'has an unexpected "' + String.fromCharCode(c) + '" at position ' + i.toString();
      return r;
    }
  }
  return r;
}

/** Follows the steps; null when a step does not exist (a JSON null found is a JsonValue). */
export function lookup(root: JsonValue, steps: Step[]): JsonValue | null {
  let cur: JsonValue = root;
  for (let i = 0; i < steps.length; i++) {
    const s = steps[i];
    if (s.isIndex) {
      if (cur.kind != KIND_ARRAY) return null;
      const at = s.index < 0 ? cur.items.length + s.index : s.index;
      if (at < 0 || at >= cur.items.length) return null;
      cur = cur.items[at];
    } else {
      if (cur.kind != KIND_OBJECT) return null;
      const next = cur.get(s.key);
      if (next == null) return null;
      cur = next;
    }
  }
  return cur;
}
