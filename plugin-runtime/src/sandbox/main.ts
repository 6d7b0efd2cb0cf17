/**
 * Entry of a sandbox process (forked by the pool with --no-node-snapshot). Hosts the isolate and
 * wasm engines; plugin code runs only here. Talks to the core process over IPC only.
 */
import { forEachMessage, type Batch } from '../message-batch.js';
import type { FromSandbox, ToSandbox } from '../protocol.js';
import { SandboxDispatcher } from './dispatcher.js';
import { IsolateEngine } from './isolate-engine.js';
import { WasmEngine } from './wasm-engine.js';

const settings = JSON.parse(process.env.OPSLOOM_SANDBOX_SETTINGS ?? '{}') as { idlePerPlugin?: number; maxLoaded?: number; maxIdleTotal?: number };
const engineOptions = { idlePerPlugin: settings.idlePerPlugin ?? 2, maxLoaded: settings.maxLoaded ?? 2000, maxIdleTotal: settings.maxIdleTotal ?? 256 };
// Results go out at once, not batched: the engines' between-call work (freeing the used context,
// preparing the next) is queued with setImmediate too, and a batched result would wait behind it
// (≈ 0.45 ms on a call 3 ms after the last). Core batches what it sends (see SandboxProcess).
const send = (m: FromSandbox): void => {
  process.send?.(m);
};
const dispatcher = new SandboxDispatcher({ isolate: new IsolateEngine(engineOptions), wasm: new WasmEngine(engineOptions) }, send);

process.on('message', (m: ToSandbox | Batch<ToSandbox>) => forEachMessage(m, (one) => dispatcher.handle(one)));
// The parent going away means nobody will read our results: leave with it.
process.on('disconnect', () => {
  process.exit(0);
});
send({ t: 'ready', pid: process.pid });
