/**
 * Entry point of the expression worker process, forked by `WorkerClient`. It hosts the isolate,
 * so an expression that makes V8 abort on out-of-memory takes down this process, not core.
 * Protocol: `WorkerRequest` in, `WorkerResponse` out, over the IPC channel; exits when the
 * parent disconnects.
 */
import { IsolateRunner } from './isolate-runner.js';
import type { WorkerRequest, WorkerResponse } from './worker-client.js';

const memoryMb = Number(process.argv[2] ?? '16');
const runner = new IsolateRunner(memoryMb);

process.on('message', (message: WorkerRequest) => {
  void runner.run(message.scopeJson, message.expressions, message.budgetMs, message.compileOnly === true).then((reply) => {
    const response: WorkerResponse = { id: message.id, reply };
    process.send?.(response);
  });
});

process.on('disconnect', () => {
  runner.dispose();
  process.exit(0);
});
