/**
 * The benches' raw peers across a process boundary: a child process that answers each IPC message
 * (a JSON string) with raw isolated-vm `applySync` on it, or with a raw Extism call in a worker,
 * nothing else. Forked by runtime-bench.ts (and the engine bench) with the sandbox processes'
 * serialization; its first message says which peer to be: `{ peer: 'isolate' }`,
 * `{ peer: 'isolate-fresh' }` (a new context for each message, as every plugin call gets: the floor
 * of a sandboxed call) or `{ peer: 'wasm', wasm: <base64> }`.
 */
import ivm from 'isolated-vm';
import { createPlugin } from '@extism/extism';
import type { RawPeerInit } from './raw-peer.js';

type Peer = (json: string) => unknown;

const copy = { arguments: { copy: true }, result: { copy: true } } as const;

async function makePeer(init: RawPeerInit): Promise<Peer> {
  if (init.peer === 'wasm') {
    const plugin = await createPlugin({ wasm: [{ data: Buffer.from(init.wasm ?? '', 'base64') }] }, {
      runInWorker: true, useWasi: false, functions: { 'extism:host/user': { opsloom_host: () => 0n } },
    });
    return async (json) => (await plugin.call('execute', json))?.text();
  }
  const isolate = new ivm.Isolate({ memoryLimit: 32 });
  const script = isolate.compileScriptSync('(s) => JSON.stringify(JSON.parse(s))');
  if (init.peer === 'isolate-fresh') {
    return (json) => {
      const context = isolate.createContextSync();
      const echo = script.runSync(context, { reference: true }) as ivm.Reference;
      const answer = echo.applySync(undefined, [json], copy);
      echo.release();
      context.release();
      return answer;
    };
  }
  const echo = script.runSync(isolate.createContextSync(), { reference: true }) as ivm.Reference;
  return (json) => echo.applySync(undefined, [json], copy);
}

let peer: Peer | undefined;
process.on('message', (m: unknown) => {
  if (peer) {
    void Promise.resolve(peer(m as string)).then((answer) => process.send?.(answer));
    return;
  }
  void makePeer(m as RawPeerInit).then((p) => {
    peer = p;
    process.send?.('ready');
  });
});
process.on('disconnect', () => process.exit(0));
