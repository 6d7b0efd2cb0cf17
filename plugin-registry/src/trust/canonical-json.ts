/**
 * Canonical JSON: the exact bytes that get hashed and signed, so two parties serialising the same
 * value agree byte for byte. Object keys are sorted by UTF-16 code unit order (what
 * `Array.prototype.sort` does), no whitespace is emitted, strings and numbers use `JSON.stringify`.
 * Values JSON cannot represent faithfully (non-finite numbers, functions, undefined in arrays) are
 * refused rather than silently changed; `undefined` object members are dropped like JSON does.
 * @example canonicalJson({ b: 1, a: [true, 'x'] }) // '{"a":[true,"x"],"b":1}'
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError('canonical JSON cannot encode a non-finite number');
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) {
    return `[${value.map((item) => {
      if (item === undefined) throw new TypeError('canonical JSON cannot encode undefined inside an array');
      return canonicalJson(item);
    }).join(',')}]`;
  }
  if (typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record).filter((k) => record[k] !== undefined).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(record[k])}`).join(',')}}`;
  }
  throw new TypeError(`canonical JSON cannot encode a ${typeof value}`);
}
