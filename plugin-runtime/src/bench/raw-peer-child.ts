/**
 * The bench's raw peers across a process boundary: a child process that answers each IPC message
 * (a JSON string) with raw isolated-vm `applySync` on it, or with a raw Extism call in a worker,
 * nothing else. Forked by runtime-bench.ts with the sandbox processes' serialization; its first
 * message says which peer to be (`{ peer: 'isolate' }` or `{ peer: 'wasm', wasm: <base64> }`).
 */
import ivm from 'isolated-vm';
import { createPlugin } from '@extism/extism';

type Peer = (json: string) => unknown;

async function makePeer(init: { peer: 'isolate' | 'wasm'; wasm?: string }): Promise<Peer> {
  if (init.peer === 'wasm') {
    const plugin = await createPlugin({ wasm: [{ data: Buffer.from(init.wasm ?? '', 'base64') }] }, {
      runInWorker: true, useWasi: false, functions: { 'extism:host/user': { opsloom_host: () => 0n } },
    });
    return async (json) => (await plugin.call('execute', json))?.text();
  }
  const isolate = new ivm.Isolate({ memoryLimit: 32 });
  const context = isolate.createContextSync();
  const echo = isolate.compileScriptSync('(s) => JSON.stringify(JSON.parse(s))').runSync(context, { reference: true }) as ivm.Reference;
  return (json) => echo.applySync(undefined, [json], { arguments: { copy: true }, result: { copy: true } });
}

let peer: Peer | undefined;
process.on('message', (m: unknown) => {
  if (peer) {
    void Promise.resolve(peer(m as string)).then((answer) => process.send?.(answer));
    return;
  }
  void makePeer(m as { peer: 'isolate' | 'wasm'; wasm?: string }).then((p) => {
    peer = p;
    process.send?.('ready');
  });
});
process.on('disconnect', () => process.exit(0));
