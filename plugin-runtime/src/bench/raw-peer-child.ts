/**
 * The bench's raw peer across a process boundary: a child process that answers each IPC message
 * (a JSON string) with raw isolated-vm `applySync` on it, nothing else. Forked by runtime-bench.ts
 * with the same serialization as the sandbox processes.
 */
import ivm from 'isolated-vm';

const isolate = new ivm.Isolate({ memoryLimit: 32 });
const context = isolate.createContextSync();
const echo = isolate.compileScriptSync('(s) => JSON.stringify(JSON.parse(s))').runSync(context, { reference: true }) as ivm.Reference;

process.on('message', (json: string) => {
  process.send?.(echo.applySync(undefined, [json], { arguments: { copy: true }, result: { copy: true } }));
});
process.on('disconnect', () => process.exit(0));
process.send?.('ready');
