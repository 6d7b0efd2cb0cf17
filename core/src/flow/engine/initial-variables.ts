import { extractReferences, forEachString, type JsonValue } from '../../model/index.js';

/**
 * Renders the variable values that hold `${…}` at the start event, each one only after the
 * pending variables it reads, so it sees their rendered values and not their `${…}` text
 * (`b = '${a}-1'` with `a = '${x}'` is `X-1`, never `${x}-1`). Template validation refuses
 * variables that refer to each other in a circle; values given at task creation are not checked
 * there, so a circle among them is an error here.
 *
 * @param values every variable's current value
 * @param pending the keys to render
 * @param render renders one value over the values rendered so far
 * @returns the rendered values of `pending`
 */
export async function renderVariablesInOrder(
  values: Record<string, JsonValue>,
  pending: readonly string[],
  render: (key: string, value: JsonValue, rendered: Record<string, JsonValue>) => Promise<JsonValue>,
): Promise<Record<string, JsonValue>> {
  const left = new Set(pending);
  const reads = new Map(pending.map((key) => [key, variablesRead(values[key]!).filter((v) => v !== key && left.has(v))]));
  const rendered: Record<string, JsonValue> = {};
  while (left.size > 0) {
    const key = [...left].find((k) => reads.get(k)!.every((v) => !left.has(v)));
    if (key === undefined) throw new Error(circleMessage(left, reads));
    rendered[key] = await render(key, values[key]!, rendered);
    left.delete(key);
  }
  return rendered;
}

/**
 * Names the circle among the variables left (every one of them reads another one left), and apart
 * from it those that only wait for it: `variables a → b → a refer to each other in a circle …; c waits for them`.
 */
function circleMessage(left: Set<string>, reads: Map<string, string[]>): string {
  const path: string[] = [];
  let at = [...left][0]!;
  while (!path.includes(at)) {
    path.push(at);
    at = reads.get(at)!.find((v) => left.has(v))!;
  }
  const circle = path.slice(path.indexOf(at));
  const waiting = [...left].filter((k) => !circle.includes(k));
  return `variables ${[...circle, at].join(' → ')} refer to each other in a circle and cannot be rendered` +
    (waiting.length ? `; ${waiting.join(', ')} ${waiting.length > 1 ? 'wait' : 'waits'} for them` : '');
}

/** The variable names the `${…}` expressions anywhere in `value` read. */
function variablesRead(value: JsonValue): string[] {
  const names: string[] = [];
  forEachString(value, (text) => { names.push(...extractReferences(text).variables); });
  return names;
}
