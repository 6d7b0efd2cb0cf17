import { connect, createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { AGENT_GATEWAY_PATH } from '@opsloom/agent/protocol';
import type { TestServer } from '../../test-support/test-server.js';

/**
 * A TCP relay between agents and a test core that a test can cut, as a network partition would:
 * while cut, open connections are dropped and new ones refused, so agents stay away until it is mended.
 */
export class CuttableLink {
  readonly #sockets = new Set<Socket>();
  #cut = false;

  private constructor(private readonly server: Server) {}

  /** Opens a relay to the core of `target`. */
  static async open(target: TestServer): Promise<CuttableLink> {
    const { hostname, port } = new URL(target.url);
    const server = createServer();
    const link = new CuttableLink(server);
    server.on('connection', (inbound) => link.#relay(inbound, hostname, Number(port)));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return link;
  }

  /** The gateway URL agents use to reach core through this link. */
  get gatewayUrl(): string {
    return `ws://127.0.0.1:${(this.server.address() as AddressInfo).port}${AGENT_GATEWAY_PATH}`;
  }

  /** Drops every connection and refuses new ones. */
  cut(): void {
    this.#cut = true;
    for (const s of this.#sockets) s.destroy();
  }

  /** Lets connections through again. */
  mend(): void {
    this.#cut = false;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  #relay(inbound: Socket, host: string, port: number): void {
    if (this.#cut) {
      inbound.destroy();
      return;
    }
    const outbound = connect(port, host);
    for (const [a, b] of [[inbound, outbound], [outbound, inbound]] as const) {
      this.#sockets.add(a);
      a.pipe(b);
      a.on('error', () => b.destroy());
      a.on('close', () => {
        this.#sockets.delete(a);
        b.destroy();
      });
    }
  }
}
