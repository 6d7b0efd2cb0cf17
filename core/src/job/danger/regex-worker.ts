/**
 * Runs rule expressions against script lines off the main thread, so a pattern that backtracks
 * catastrophically costs this worker (which the main thread terminates) and never freezes core.
 * Before each rule it writes the rule's index into shared memory: on a timeout the main thread
 * can name the rule that hung.
 */
import { parentPort, workerData } from 'node:worker_threads';

interface Request { id: number; sources: string[]; lines: { line: number; text: string }[] }
interface Hit { rule: number; line: number; matched: string }

const current = new Int32Array(workerData.progress as SharedArrayBuffer);
const compiled = new Map<string, RegExp>();

function regex(source: string): RegExp {
  let r = compiled.get(source);
  if (!r) {
    r = new RegExp(source);
    if (compiled.size > 1000) compiled.clear();
    compiled.set(source, r);
  }
  return r;
}

parentPort!.on('message', (req: Request) => {
  try {
    const hits: Hit[] = [];
    req.sources.forEach((source, rule) => {
      Atomics.store(current, 0, rule);
      const r = regex(source);
      for (const { line, text } of req.lines) {
        const m = r.exec(text);
        if (m) hits.push({ rule, line, matched: m[0] });
      }
    });
    parentPort!.postMessage({ id: req.id, hits });
  } catch (err) {
    parentPort!.postMessage({ id: req.id, error: String((err as Error)?.message ?? err) });
  }
});
