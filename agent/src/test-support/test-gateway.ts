import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import {
  AGENT_GATEWAY_PATH, type AgentMessage, type HostFacts, PROTOCOL_VERSION, type RunResultMessage, type RunScriptMessage,
  type ServerMessage, parseAgentMessage,
} from '../protocol/index.js';

/** An agent as the test gateway knows it. */
export interface GatewayAgent {
  agentId: string;
  credential: string;
  facts: HostFacts;
  socket: WebSocket | null;
  epoch: string | null;
  hellos: number;
  heartbeats: number;
  activeRunsAtHello: string[];
}

/** Everything the gateway recorded about one run. */
export interface GatewayRun {
  agentId: string;
  spec: RunScriptMessage;
  states: string[];
  /** Output by offset: storing by offset makes a re-sent chunk harmless. */
  chunks: Map<number, Buffer>;
  result: RunResultMessage | null;
}

/** Options of {@link TestGateway.start}. */
export interface TestGatewayOptions {
  enrolTokens?: string[];
  heartbeatSeconds?: number;
  /** Port to listen on (0 picks one). */
  port?: number;
}

/**
 * A small core stand-in that speaks the agent protocol, for this package's tests only. It behaves as
 * core must: validates every frame, refuses run messages for runs it did not give that agent, stores
 * first and acknowledges after, and deduplicates on `(agentId, epoch, seq)`.
 */
export class TestGateway extends EventEmitter {
  readonly agents = new Map<string, GatewayAgent>();
  readonly runs = new Map<string, GatewayRun>();
  /** Outbox messages received again after being stored (re-sends). */
  duplicates = 0;
  /** Frames the gateway refused, with the reason. */
  readonly refusals: string[] = [];
  enrolments = 0;
  /** Agents whose host an administrator removed: their `hello` is refused with `AGENT_REMOVED`. */
  readonly removed = new Set<string>();
  /** When false, messages are stored but never acknowledged (as if core died right after storing). */
  acking = true;
  #seen = new Set<string>();
  #server: WebSocketServer | null = null;
  #port: number;
  #nextAgent = 1;
  #nextRun = 1;
  readonly #tokens: Set<string>;
  readonly #heartbeatSeconds: number;

  private constructor(options: TestGatewayOptions) {
    super();
    this.setMaxListeners(0);
    this.#port = options.port ?? 0;
    this.#tokens = new Set(options.enrolTokens ?? ['test-token']);
    this.#heartbeatSeconds = options.heartbeatSeconds ?? 15;
  }

  /** Starts a gateway on 127.0.0.1. */
  static async start(options: TestGatewayOptions = {}): Promise<TestGateway> {
    const gw = new TestGateway(options);
    await gw.listen();
    return gw;
  }

  get port(): number {
    return this.#port;
  }

  get url(): string {
    return `ws://127.0.0.1:${this.#port}${AGENT_GATEWAY_PATH}`;
  }

  /** (Re)opens the listening socket on the same port. */
  async listen(): Promise<void> {
    const server = new WebSocketServer({ host: '127.0.0.1', port: this.#port, path: AGENT_GATEWAY_PATH, perMessageDeflate: false });
    await new Promise<void>((resolve, reject) => {
      server.once('listening', resolve);
      server.once('error', reject);
    });
    this.#port = (server.address() as AddressInfo).port;
    server.on('connection', (ws) => this.#accept(ws));
    this.#server = server;
  }

  /** Closes the server and every connection, as a core crash would; state is kept for {@link listen}. */
  async close(): Promise<void> {
    const server = this.#server;
    this.#server = null;
    if (!server) return;
    for (const ws of server.clients) ws.terminate();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Sends a script to an agent and returns its run id. */
  dispatch(agentId: string, spec: Partial<Omit<RunScriptMessage, 'type'>> & { script: string }): string {
    const runId = spec.runId ?? `run-${this.#nextRun++}`;
    const message: RunScriptMessage = {
      type: 'run', runId, language: spec.language ?? 'bash', script: spec.script, params: spec.params ?? '',
      env: spec.env ?? {}, runAs: spec.runAs ?? null, timeoutSeconds: spec.timeoutSeconds ?? 60,
    };
    if (!this.runs.has(runId)) this.runs.set(runId, { agentId, spec: message, states: [], chunks: new Map(), result: null });
    this.#sendTo(agentId, message);
    return runId;
  }

  cancel(agentId: string, runId: string): void {
    this.#sendTo(agentId, { type: 'cancel', runId });
  }

  /** Removes the agent's host, as core does: the agent is told `AGENT_REMOVED` and disconnected. */
  remove(agentId: string): void {
    this.removed.add(agentId);
    const socket = this.agents.get(agentId)?.socket;
    socket?.send(JSON.stringify({ type: 'error', code: 'AGENT_REMOVED', message: `host of ${agentId} removed by admin`, fatal: true } satisfies ServerMessage));
    socket?.close(4000, 'AGENT_REMOVED');
  }

  /** Re-admits a removed host: its old identity is forgotten, so the agent must enrol again. */
  readmit(agentId: string): void {
    this.removed.delete(agentId);
    this.agents.delete(agentId);
  }

  /** Resolves with the run once its result is stored. */
  waitForResult(runId: string, timeoutMs = 20_000): Promise<GatewayRun> {
    return this.#waitFor('result', () => {
      const run = this.runs.get(runId);
      return run?.result ? run : undefined;
    }, timeoutMs, `result of ${runId}`);
  }

  /** Resolves once `agentId` (or any agent) is online. */
  waitForOnline(agentId?: string, timeoutMs = 20_000): Promise<GatewayAgent> {
    return this.#waitFor('online', () => [...this.agents.values()].find((a) => a.socket && (agentId === undefined || a.agentId === agentId)), timeoutMs, `agent ${agentId ?? '(any)'} online`);
  }

  /** Resolves once `count` agents are online. */
  async waitForOnlineCount(count: number, timeoutMs = 30_000): Promise<void> {
    await this.#waitFor('online', () => (this.onlineCount() >= count ? true : undefined), timeoutMs, `${count} agents online`);
  }

  /** Resolves once `predicate` holds after some recorded run state or output. */
  waitForRun(runId: string, predicate: (run: GatewayRun) => boolean, timeoutMs = 20_000): Promise<GatewayRun> {
    return this.#waitFor('progress', () => {
      const run = this.runs.get(runId);
      return run && predicate(run) ? run : undefined;
    }, timeoutMs, `progress of ${runId}`);
  }

  onlineCount(): number {
    let n = 0;
    for (const a of this.agents.values()) if (a.socket) n++;
    return n;
  }

  /** The run's log, joined by offset; throws if a piece is missing. */
  log(runId: string): Buffer {
    const run = this.runs.get(runId);
    if (!run) throw new Error(`no run ${runId}`);
    const parts: Buffer[] = [];
    let at = 0;
    for (const offset of [...run.chunks.keys()].sort((a, b) => a - b)) {
      if (offset !== at) throw new Error(`log of ${runId} has a gap at byte ${at} (next chunk at ${offset})`);
      const chunk = run.chunks.get(offset) as Buffer;
      parts.push(chunk);
      at += chunk.length;
    }
    return Buffer.concat(parts);
  }

  #waitFor<T>(event: string, check: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
    const now = check();
    if (now !== undefined) return Promise.resolve(now);
    return new Promise((resolve, reject) => {
      const onEvent = (): void => {
        const v = check();
        if (v === undefined) return;
        clearTimeout(timer);
        this.off(event, onEvent);
        resolve(v);
      };
      const timer = setTimeout(() => {
        this.off(event, onEvent);
        reject(new Error(`test gateway: timed out waiting for ${what}`));
      }, timeoutMs);
      this.on(event, onEvent);
    });
  }

  #sendTo(agentId: string, message: ServerMessage): void {
    const socket = this.agents.get(agentId)?.socket;
    if (!socket) throw new Error(`agent ${agentId} is not connected`);
    socket.send(JSON.stringify(message));
  }

  #accept(ws: WebSocket): void {
    let agent: GatewayAgent | null = null;
    const send = (m: ServerMessage): void => ws.send(JSON.stringify(m));
    const refuse = (code: string, message: string, fatal: boolean, runId?: string): void => {
      this.refusals.push(`${code}: ${message}`);
      send({ type: 'error', code, message, fatal, ...(runId ? { runId } : {}) });
      if (fatal) ws.close(4000, code);
    };
    ws.on('message', (data: Buffer) => {
      const parsed = parseAgentMessage(data.toString('utf8'));
      if (!parsed.ok) return refuse(parsed.error.code, parsed.error.message, false);
      const m: AgentMessage = parsed.message;
      if (m.type === 'enrol') {
        if (!this.#tokens.has(m.enrolToken)) return refuse('ENROL_TOKEN_INVALID', 'enrolment token not recognised', true);
        const agentId = `agent-${this.#nextAgent++}`;
        const credential = randomBytes(24).toString('hex');
        this.enrolments++;
        this.agents.set(agentId, { agentId, credential, facts: m.facts, socket: null, epoch: null, hellos: 0, heartbeats: 0, activeRunsAtHello: [] });
        return send({ type: 'enrolled', agentId, credential });
      }
      if (m.type === 'hello') {
        if (m.protocolVersion !== PROTOCOL_VERSION) return refuse('PROTOCOL_VERSION_UNSUPPORTED', `speak version ${PROTOCOL_VERSION}`, true);
        if (this.removed.has(m.agentId)) return refuse('AGENT_REMOVED', `host of ${m.agentId} removed by admin`, true);
        const known = this.agents.get(m.agentId);
        if (!known || known.credential !== m.credential) return refuse('CREDENTIAL_INVALID', 'unknown agent or wrong credential', true);
        known.socket?.terminate();
        Object.assign(known, { socket: ws, facts: m.facts, epoch: m.epoch, activeRunsAtHello: m.activeRuns });
        known.hellos++;
        agent = known;
        send({ type: 'welcome', agentId: known.agentId, protocolVersion: PROTOCOL_VERSION, heartbeatSeconds: this.#heartbeatSeconds, serverTime: Date.now() });
        this.emit('online', known.agentId);
        return;
      }
      if (!agent) return refuse('NOT_AUTHENTICATED', 'send hello first', true);
      if (m.type === 'heartbeat') {
        agent.heartbeats++;
        return send({ type: 'heartbeat-ack', serverTime: Date.now() });
      }
      if (m.type === 'error') return;
      const run = this.runs.get(m.runId);
      if (!run || run.agentId !== agent.agentId) return refuse('RUN_UNKNOWN', `run ${m.runId} was not given to ${agent.agentId}`, false, m.runId);
      const key = `${agent.agentId}/${agent.epoch}/${m.seq}`;
      if (this.#seen.has(key)) this.duplicates++;
      else {
        this.#seen.add(key);
        if (m.type === 'run-state') run.states.push(m.state);
        else if (m.type === 'output') run.chunks.set(m.offset, Buffer.from(m.data, 'base64'));
        else if (m.type === 'result' && !run.result) run.result = m;
      }
      if (this.acking) send({ type: 'ack', seqs: [m.seq] });
      this.emit('progress', m.runId);
      if (m.type === 'result') this.emit('result', m.runId);
    });
    ws.on('close', () => {
      if (agent && agent.socket === ws) agent.socket = null;
    });
  }
}
