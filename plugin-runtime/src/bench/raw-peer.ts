import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** What the child is to be: see raw-peer-child.ts. */
export interface RawPeerInit {
  peer: 'isolate' | 'isolate-fresh' | 'wasm';
  wasm?: string;
}

/** A raw peer in a child process behind a plain IPC round trip (the sandbox processes' serialization). */
export async function rawInChild(init: RawPeerInit, input: string): Promise<{ pid: number; call(): Promise<unknown>; close(): void }> {
  const child: ChildProcess = fork(fileURLToPath(new URL('./raw-peer-child.js', import.meta.url)), [], {
    execArgv: ['--no-node-snapshot'], serialization: 'json', stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
  });
  child.send(init);
  await new Promise((resolve) => child.once('message', resolve));
  return {
    pid: child.pid!,
    call: () => new Promise((resolve) => {
      child.once('message', resolve);
      child.send(input);
    }),
    close: () => child.kill(),
  };
}
