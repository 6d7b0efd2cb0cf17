import { ValidationError } from '../../errors.js';

/** Most batches one rolling job may have (bk-job's limit). */
export const MAX_BATCHES = 500;

type Part = { kind: 'count'; n: number } | { kind: 'percent'; n: number } | { kind: 'plus'; n: number } | { kind: 'times'; n: number };

function parsePart(raw: string): Part {
  let m = /^(\d+)$/.exec(raw);
  if (m) return { kind: 'count', n: Number(m[1]) };
  m = /^(\d+)%$/.exec(raw);
  if (m) return { kind: 'percent', n: Number(m[1]) };
  m = /^\+(\d+)$/.exec(raw);
  if (m) return { kind: 'plus', n: Number(m[1]) };
  m = /^\*(\d+)$/.exec(raw);
  if (m) return { kind: 'times', n: Number(m[1]) };
  throw new ValidationError(`rolling expression part "${raw}" is not N, N%, +N or *N`, [{ path: 'body.rolling.expression', message: `bad part "${raw}"` }]);
}

/**
 * Splits `total` hosts into batch sizes with a bk-job rolling expression: space-separated parts
 * `N` (N hosts), `N%` (ceil of N% of all hosts), `+N` (previous batch plus N), `*N` (previous batch
 * times N). Batch k uses part k; the last part repeats until the hosts run out.
 *
 * @example batchSizes('10% +10 *2', 200) // [20, 30, 60, 90]
 * @throws ValidationError for a malformed expression or one that yields more than {@link MAX_BATCHES} batches.
 */
export function batchSizes(expression: string, total: number): number[] {
  const parts = expression.trim().split(/\s+/).filter(Boolean).map(parsePart);
  if (parts.length === 0) throw new ValidationError('rolling expression is empty', [{ path: 'body.rolling.expression', message: 'empty' }]);
  for (const p of parts) {
    if (p.n < 1 || (p.kind === 'percent' && p.n > 100)) {
      throw new ValidationError(`rolling expression part ${p.kind === 'percent' ? `${p.n}%` : p.n} is out of range`, [{ path: 'body.rolling.expression', message: 'out of range' }]);
    }
  }
  if (parts[0]!.kind === 'plus' || parts[0]!.kind === 'times') {
    throw new ValidationError('a rolling expression must start with N or N%', [{ path: 'body.rolling.expression', message: 'must start with N or N%' }]);
  }
  const sizes: number[] = [];
  let left = total;
  let prev = 0;
  for (let k = 0; left > 0; k++) {
    const p = parts[Math.min(k, parts.length - 1)]!;
    let size: number;
    switch (p.kind) {
      case 'count': size = p.n; break;
      case 'percent': size = Math.ceil((total * p.n) / 100); break;
      case 'plus': size = prev + p.n; break;
      case 'times': size = prev * p.n; break;
    }
    size = Math.max(1, Math.min(size, left));
    sizes.push(size);
    if (sizes.length > MAX_BATCHES) {
      throw new ValidationError(`the rolling expression makes more than ${MAX_BATCHES} batches for ${total} hosts`, [{ path: 'body.rolling.expression', message: 'too many batches' }]);
    }
    left -= size;
    prev = size;
  }
  return sizes;
}
