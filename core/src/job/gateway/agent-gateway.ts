import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { WebSocket, WebSocketServer } from 'ws';
import {
  AGENT_GATEWAY_PATH, PROTOCOL_VERSION, parseAgentMessage, type AgentMessage, type OutboxMessage, type ServerMessage,
} from '@opsloom/agent/protocol';
import type { Coordination, Lease, Unsubscribe } from '../../queue/index.js';
import { newId } from '../../store/ids.js';
import { AgentAuthError } from '../hosts/host-service.js';
import type { AgentDelivery, GatewayCommand, GatewayHandlers } from './gateway-handlers.js';
import { ReportWriter } from './report-writer.js';

/** Options of the {@link AgentGateway}. */
export interface GatewayOptions {
  /** Heartbeat interval told to agents; three missed ones drop the connection. @default 15 */
  heartbeatSeconds?: number;
  /** A socket must authenticate within this time. @default 10000 */
  authTimeoutMs?: number;
}

/** One agent socket. Kept small: a gateway holds tens of thousands. */
interface Connection {
  ws: WebSocket;
  id: string;
  agentId: string | null;
  epoch: string | null;
  openedAt: number;
  lastHeard: number;
  chain: Promise<void>;
  broken: boolean;
}

const channelOf = (gatewayId: string): string => `job:gateway:${gatewayId}`;
const leaseOf = (gatewayId: string): string => `job:gateway:${gatewayId}`;

/**
 * The agent gateway at `/agent/v1`: accepts agent WebSockets, validates every frame with the
 * protocol's parser, enrols and authenticates agents, answers heartbeats, stores what agents report
 * (through a group-committing {@link ReportWriter}, acknowledging only after the write) and delivers
 * run and cancel messages.
 *
 * In a cluster each gateway has an id, holds a lease `job:gateway:<id>` while alive, records itself
 * as the owner of its agents' connections in the database, and listens on its own event channel:
 * another process that wants to reach an agent publishes to the owning gateway's channel.
 */
export class AgentGateway {
  readonly id = newId();
  readonly #wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, clientTracking: false, maxPayload: 4 * 1024 * 1024 });
  readonly #connections = new Set<Connection>();
  readonly #byAgent = new Map<string, Connection>();
  /** Highest stored seq per agent and outbox epoch: a re-sent message at or below it is acknowledged without a write. */
  readonly #stored = new Map<string, { epoch: string; seq: number }>();
  #seen = new Set<string>();
  readonly #writer: ReportWriter;
  readonly #heartbeatSeconds: number;
  readonly #authTimeoutMs: number;
  #timer: NodeJS.Timeout | null = null;
  #lease: Lease | null = null;
  #unsubscribe: Unsubscribe | null = null;
  #alive = new Map<string, { alive: boolean; at: number }>();
  #closed = false;

  constructor(
    private readonly handlers: GatewayHandlers,
    private readonly coordination: Coordination,
    private readonly log: Logger,
    options: GatewayOptions = {},
  ) {
    this.#heartbeatSeconds = options.heartbeatSeconds ?? 15;
    this.#authTimeoutMs = options.authTimeoutMs ?? 10_000;
    this.#writer = new ReportWriter((reports) => handlers.storeReports(reports), (err) => log.error({ err }, 'storing agent reports failed'));
  }

  /** Agents connected to this gateway. */
  get connectedAgents(): number {
    return this.#byAgent.size;
  }

  /** Hooks the HTTP server's upgrade for {@link AGENT_GATEWAY_PATH}. */
  attach(server: Server): void {
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      const path = (req.url ?? '').split('?')[0];
      if (path !== AGENT_GATEWAY_PATH) {
        if (server.listenerCount('upgrade') === 1) socket.destroy();
        return;
      }
      if (this.#closed) {
        socket.destroy();
        return;
      }
      this.#wss.handleUpgrade(req, socket, head, (ws) => this.#accept(ws));
    });
    // server.close() waits for upgraded sockets, and agents never hang up on their own: drop them first.
    const close = server.close.bind(server);
    server.close = ((cb?: (err?: Error) => void) => {
      this.#dropAll();
      return close(cb);
    }) as Server['close'];
  }

  /** Takes the gateway's lease, listens on its channel and starts the housekeeping timer. */
  async start(): Promise<void> {
    this.#lease = await this.coordination.leases.acquire(leaseOf(this.id), 30_000);
    this.#unsubscribe = await this.coordination.events.subscribe(channelOf(this.id), (m) => {
      void this.#command(m as GatewayCommand).catch((err) => this.log.error({ err }, 'gateway command failed'));
    });
    const tickMs = Math.min(this.#heartbeatSeconds * 1000, 5000);
    this.#timer = setInterval(() => void this.#tick().catch((err) => this.log.warn({ err }, 'gateway housekeeping failed')), tickMs);
    this.#timer.unref();
  }

  /** True when the gateway `gatewayId` (this one or another process's) is alive. */
  async isAlive(gatewayId: string): Promise<boolean> {
    if (gatewayId === this.id) return !this.#closed;
    const cached = this.#alive.get(gatewayId);
    if (cached && Date.now() - cached.at < 2000) return cached.alive;
    const alive = await this.coordination.leases.isHeld(leaseOf(gatewayId));
    this.#alive.set(gatewayId, { alive, at: Date.now() });
    return alive;
  }

  /** True when the agent is connected and authenticated here. */
  isConnected(agentId: string): boolean {
    return this.#byAgent.get(agentId)?.ws.readyState === WebSocket.OPEN;
  }

  /** Sends run messages to agents connected here; returns the ones whose agent is not connected here. */
  deliver(deliveries: AgentDelivery[]): AgentDelivery[] {
    const missed: AgentDelivery[] = [];
    for (const d of deliveries) if (!this.#send(d.agentId, d.message)) missed.push(d);
    return missed;
  }

  /** Routes a command to the gateway that owns the agent (this one, or another process's). */
  async route(gatewayId: string, command: GatewayCommand): Promise<void> {
    if (gatewayId === this.id) await this.#command(command);
    else await this.coordination.events.publish(channelOf(gatewayId), command);
  }

  /** Closes every connection, stores what was received, and gives up the lease. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#timer) clearInterval(this.#timer);
    this.#dropAll();
    await this.#writer.drain();
    await this.#flushSeen().catch(() => undefined);
    await this.#unsubscribe?.().catch(() => undefined);
    await this.#lease?.release().catch(() => undefined);
  }

  #dropAll(): void {
    for (const c of this.#connections) c.ws.terminate();
  }

  async #command(c: GatewayCommand): Promise<void> {
    switch (c.kind) {
      case 'dispatch': {
        const deliveries = await this.handlers.loadDeliveries(c.jobId, c.runIds);
        this.deliver(deliveries);
        return;
      }
      case 'cancel':
        this.#send(c.agentId, { type: 'cancel', runId: c.runId });
        return;
      case 'kick': {
        const conn = this.#byAgent.get(c.agentId);
        if (conn && conn.id !== c.keepConnectionId) conn.ws.close(4002, 'agent connected elsewhere');
        return;
      }
      case 'removed': {
        const conn = this.#byAgent.get(c.agentId);
        if (conn) this.#refuse(conn, 'AGENT_REMOVED', c.message, true);
      }
    }
  }

  #send(agentId: string, message: ServerMessage): boolean {
    const conn = this.#byAgent.get(agentId);
    if (!conn || conn.ws.readyState !== WebSocket.OPEN) return false;
    conn.ws.send(JSON.stringify(message));
    return true;
  }

  #accept(ws: WebSocket): void {
    const now = Date.now();
    const conn: Connection = { ws, id: newId(), agentId: null, epoch: null, openedAt: now, lastHeard: now, chain: Promise.resolve(), broken: false };
    this.#connections.add(conn);
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      conn.lastHeard = Date.now();
      const frame = isBinary ? data : data.toString('utf8');
      conn.chain = conn.chain.then(() => this.#frame(conn, frame)).catch((err) => {
        this.log.error({ err, agentId: conn.agentId }, 'agent frame handling failed');
        ws.terminate();
      });
    });
    ws.on('close', () => {
      this.#connections.delete(conn);
      if (conn.agentId && this.#byAgent.get(conn.agentId) === conn) {
        this.#byAgent.delete(conn.agentId);
        const agentId = conn.agentId;
        conn.chain = conn.chain.then(() => this.handlers.disconnected(agentId, conn.id))
          .catch((err) => this.log.warn({ err, agentId }, 'recording a disconnect failed'));
      }
    });
    ws.on('error', (err) => this.log.debug({ err }, 'agent socket error'));
  }

  #refuse(conn: Connection, code: string, message: string, fatal: boolean, runId?: string): void {
    if (conn.ws.readyState !== WebSocket.OPEN) return;
    conn.ws.send(JSON.stringify({ type: 'error', code, message: message.slice(0, 4000), fatal, ...(runId ? { runId } : {}) }));
    if (fatal) conn.ws.close(4000, code);
  }

  async #frame(conn: Connection, frame: unknown): Promise<void> {
    const parsed = parseAgentMessage(frame);
    if (!parsed.ok) {
      this.#refuse(conn, parsed.error.code, parsed.error.message, conn.agentId === null);
      return;
    }
    const m: AgentMessage = parsed.message;
    if (m.type === 'enrol' || m.type === 'hello') {
      if (m.protocolVersion !== PROTOCOL_VERSION) {
        this.#refuse(conn, 'PROTOCOL_VERSION_UNSUPPORTED', `this gateway speaks agent protocol version ${PROTOCOL_VERSION}; upgrade the agent`, true);
        return;
      }
      if (conn.agentId !== null) {
        this.#refuse(conn, 'ALREADY_AUTHENTICATED', 'this connection is authenticated already', false);
        return;
      }
      if (m.type === 'enrol') await this.#enrol(conn, m.enrolToken, m.facts);
      else await this.#hello(conn, m);
      return;
    }
    if (conn.agentId === null) {
      this.#refuse(conn, 'NOT_AUTHENTICATED', 'send hello (or enrol) first', true);
      return;
    }
    this.#seen.add(conn.agentId);
    switch (m.type) {
      case 'heartbeat':
        conn.ws.send(JSON.stringify({ type: 'heartbeat-ack', serverTime: Date.now() }));
        return;
      case 'error':
        this.log.warn({ agentId: conn.agentId, code: m.code, runId: m.runId }, `agent refused a message: ${m.message}`);
        return;
      default:
        this.#report(conn, m);
    }
  }

  async #enrol(conn: Connection, token: string, facts: Parameters<GatewayHandlers['enrol']>[1]): Promise<void> {
    try {
      const { agentId, credential } = await this.handlers.enrol(token, facts);
      conn.ws.send(JSON.stringify({ type: 'enrolled', agentId, credential }));
      this.log.info({ agentId, ip: facts.ips[0], cloudArea: facts.cloudArea }, 'agent enrolled');
    } catch (err) {
      if (err instanceof AgentAuthError) this.#refuse(conn, err.code, err.message, true);
      else throw err;
    }
  }

  async #hello(conn: Connection, m: Extract<AgentMessage, { type: 'hello' }>): Promise<void> {
    let previousGateway: string | null;
    try {
      ({ previousGateway } = await this.handlers.authenticate(m.agentId, m.credential));
    } catch (err) {
      if (err instanceof AgentAuthError) {
        this.#refuse(conn, err.code, err.message, true);
        return;
      }
      throw err;
    }
    if (conn.ws.readyState !== WebSocket.OPEN) return;
    const older = this.#byAgent.get(m.agentId);
    if (older && older !== conn) older.ws.close(4002, 'agent reconnected');
    conn.agentId = m.agentId;
    conn.epoch = m.epoch;
    this.#byAgent.set(m.agentId, conn);
    const known = this.#stored.get(m.agentId);
    if (known && known.epoch !== m.epoch) this.#stored.delete(m.agentId);
    await this.handlers.connected(m.agentId, conn.id, m.facts);
    if (previousGateway && previousGateway !== this.id) {
      await this.route(previousGateway, { kind: 'kick', agentId: m.agentId, keepConnectionId: conn.id }).catch(() => undefined);
    }
    const resend = await this.handlers.reconcile(m.agentId, m.activeRuns);
    if (conn.ws.readyState !== WebSocket.OPEN) return;
    conn.ws.send(JSON.stringify({ type: 'welcome', agentId: m.agentId, protocolVersion: PROTOCOL_VERSION, heartbeatSeconds: this.#heartbeatSeconds, serverTime: Date.now() }));
    for (const r of resend) conn.ws.send(JSON.stringify(r));
  }

  #report(conn: Connection, m: OutboxMessage): void {
    const agentId = conn.agentId!;
    const stored = this.#stored.get(agentId);
    if (stored && stored.epoch === conn.epoch && m.seq <= stored.seq) {
      // A re-send of something stored already (its ack was lost): acknowledge, write nothing.
      this.#ack(conn, m.seq);
      return;
    }
    this.#writer.add({ agentId, message: m }, (ok, refused) => {
      if (!ok) {
        // Not stored: drop the connection so the agent re-sends everything unacknowledged.
        conn.broken = true;
        this.#stored.delete(agentId);
        conn.ws.terminate();
        return;
      }
      if (refused) this.#refuse(conn, 'RUN_UNKNOWN', `run ${m.runId} was not given to agent ${agentId}`, false, m.runId);
      if (!conn.broken && conn.epoch) {
        const s = this.#stored.get(agentId);
        if (!s || s.epoch !== conn.epoch) this.#stored.set(agentId, { epoch: conn.epoch, seq: m.seq });
        else if (m.seq > s.seq) s.seq = m.seq;
      }
      this.#ack(conn, m.seq);
    });
  }

  // Acks of one flush are coalesced per connection into one frame.
  #pendingAcks = new Map<Connection, number[]>();
  #ackTimer: NodeJS.Immediate | null = null;

  #ack(conn: Connection, seq: number): void {
    const list = this.#pendingAcks.get(conn);
    if (list) list.push(seq);
    else this.#pendingAcks.set(conn, [seq]);
    if (this.#ackTimer) return;
    this.#ackTimer = setImmediate(() => {
      this.#ackTimer = null;
      const acks = this.#pendingAcks;
      this.#pendingAcks = new Map();
      for (const [c, seqs] of acks) {
        if (c.ws.readyState === WebSocket.OPEN) c.ws.send(JSON.stringify({ type: 'ack', seqs }));
      }
    });
  }

  async #tick(): Promise<void> {
    const now = Date.now();
    const deadAfter = 3 * this.#heartbeatSeconds * 1000;
    for (const c of this.#connections) {
      if (c.agentId === null ? now - c.openedAt > this.#authTimeoutMs : now - c.lastHeard > deadAfter) c.ws.terminate();
    }
    if (this.#lease && !(await this.#lease.renew())) {
      this.log.warn({ gatewayId: this.id }, 'gateway lease was lost; taking it again');
      this.#lease = await this.coordination.leases.acquire(leaseOf(this.id), 30_000);
    }
    await this.#flushSeen();
  }

  async #flushSeen(): Promise<void> {
    if (this.#seen.size === 0) return;
    const ids = [...this.#seen];
    this.#seen = new Set();
    await this.handlers.seen(ids);
  }
}
