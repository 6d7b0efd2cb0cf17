/** Words of an expression that could name a variable (variable keys are ASCII identifiers). */
const WORD = /[A-Za-z_$][\w$]*/g;

/**
 * The part of `scope` a batch of expressions can read: the variables whose names appear in them
 * as words. Expressions resolve bare names through the scope, so every name they use is written
 * in them; words inside strings count too, so the set can only be larger than what is read. A
 * task's other variables stay out: a 10 MB output no expression reads no longer crosses into the
 * isolate (and past its memory limit) with every expression of the task.
 *
 * @example
 * scopeReads(['host.ip + ":" + port'], { host: {…}, port: 22, log: '…10 MB…' }) // { host: {…}, port: 22 }
 */
export function scopeReads(expressions: readonly string[], scope: Record<string, unknown>): Record<string, unknown> {
  const words = new Set<string>();
  for (const expression of expressions) for (const [word] of expression.matchAll(WORD)) words.add(word);
  const read: Record<string, unknown> = {};
  for (const key of Object.keys(scope)) if (words.has(key)) read[key] = scope[key];
  return read;
}
