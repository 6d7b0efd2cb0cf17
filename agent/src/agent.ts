import { EventEmitter } from 'node:events';
import { WebSocket } from 'ws';
import { type AgentOptions, type CompiledAgentOptions, compileAgentOptions } from './agent-options.js';
import { reconnectDelay, refusedDelay, removedDelay } from './backoff.js';
import { AgentError } from './errors.js';
import { collectHostFacts } from './host-facts.js';
import { type AgentIdentity, IdentityStore } from './identity-store.js';
import { Outbox, type UnsequencedMessage } from './outbox.js';
import {
  type AgentMessage, type HostFacts, PROTOCOL_VERSION, type ServerErrorMessage, type ServerMessage, parseServerMessage,
} from './protocol/index.js';
import { RunManager } from './run-manager.js';
import { ScriptRunner } from './script-runner.js';
import { AGENT_VERSION } from './version.js';

/** Where an agent is in its connection's life. */
export type AgentState = 'connecting' | 'enrolling' | 'authenticating' | 'online' | 'waiting' | 'stopped';

/** Missed heartbeat intervals after which the connection counts as dead. */
const DEAD_AFTER_INTERVALS = 3;

/**
 * A host agent: one WebSocket to a core gateway, enrolment once, `hello` on every connection,
 * heartbeats, jittered reconnects, and the runs core gives it. Run messages go through an
 * {@link Outbox}, so a dropped connection delays them but never loses them.
 *
 * Events: `online` (agentId), `offline`, `enrolled` (agentId), `problem` ({ code, message }).
 * @example
 * const agent = await Agent.start({ server: 'ws://127.0.0.1:7070/agent/v1', stateDir: '/var/lib/opsloom-agent', enrolToken });
 * agent.once('online', (id) => console.log('online as', id));
 */
export class Agent extends EventEmitter {
  readonly #o: CompiledAgentOptions;
  readonly #store: IdentityStore;
  readonly #outbox = new Outbox();
  readonly #runs: RunManager;
  readonly #facts: HostFacts;
  #identity: AgentIdentity | null;
  #state: AgentState = 'connecting';
  #ws: WebSocket | null = null;
  #attempt = 0;
  /** Why core refused the last connection, which sets how long to wait before the next one. */
  #refusal: 'refused' | 'removed' | null = null;
  #reconnectTimer: NodeJS.Timeout | null = null;
  #heartbeatTimer: NodeJS.Timeout | null = null;
  #lastHeard = 0;
  /** The runner this agent made itself (not a swarm's shared one), closed with the agent. */
  #ownRunner: ScriptRunner | null = null;

  private constructor(o: CompiledAgentOptions, runner: ScriptRunner, store: IdentityStore, identity: AgentIdentity | null) {
    super();
    this.#o = o;
    this.#store = store;
    this.#identity = identity;
    this.#runs = new RunManager(runner, o.maxConcurrent, (m) => this.#post(m));
    this.#facts = collectHostFacts({
      cloudArea: o.cloudArea, agentVersion: AGENT_VERSION, languages: runner.languages,
      ...(o.ip ? { ip: o.ip } : {}), ...(o.hostname ? { hostname: o.hostname } : {}),
    });
  }

  /**
   * Checks the options, loads the stored identity and starts connecting (after `initialDelayMs`).
   * @throws AgentError `CONFIG_INVALID` for bad options, `IDENTITY_UNREADABLE` for a corrupt identity file.
   */
  static async start(options: AgentOptions, initialDelayMs = 0): Promise<Agent> {
    const o = compileAgentOptions(options);
    const store = new IdentityStore(o.stateDir);
    const identity = await store.load();
    if (!identity && !o.enrolToken) {
      throw new AgentError('CONFIG_INVALID', `no identity in ${store.file} and no enrolment token: pass --enrol-token from the project's agent page`);
    }
    const runner = o.runner ?? await ScriptRunner.create({
      workDir: o.workDir, killGraceMs: o.killGraceMs, drainMs: o.drainMs, launcher: o.launcher,
      chunker: { chunkBytes: o.chunkBytes, flushMs: o.flushMs, maxLogBytes: o.maxLogBytes },
    });
    const agent = new Agent(o, runner, store, identity);
    if (!o.runner) agent.#ownRunner = runner;
    o.logger.info('scripts start through the launcher', { launcher: runner.launcherKind });
    if (initialDelayMs > 0) agent.#schedule(initialDelayMs);
    else agent.#connect();
    return agent;
  }

  get state(): AgentState {
    return this.#state;
  }

  /** The id core gave this agent, once enrolled. */
  get agentId(): string | null {
    return this.#identity?.agentId ?? null;
  }

  /** What this agent reports about its host. */
  get facts(): HostFacts {
    return this.#facts;
  }

  /** Outbox messages not yet acknowledged by core. */
  get unacknowledged(): number {
    return this.#outbox.size;
  }

  /** Runs running and waiting. */
  get load(): { running: number; queued: number } {
    return { running: this.#runs.running, queued: this.#runs.queued };
  }

  /** Drops the connection now, as a network failure would (the agent reconnects on its own). */
  dropConnection(): void {
    this.#ws?.terminate();
  }

  /** Cancels running scripts (when `killRuns`), closes the connection and stops reconnecting. */
  async stop(options: { killRuns?: boolean } = {}): Promise<void> {
    if (options.killRuns ?? true) await this.#runs.cancelAll();
    this.#state = 'stopped';
    if (this.#reconnectTimer) clearTimeout(this.#reconnectTimer);
    this.#stopHeartbeat();
    const ws = this.#ws;
    this.#ws = null;
    if (ws && ws.readyState !== WebSocket.CLOSED) {
      await new Promise<void>((resolve) => {
        ws.once('close', () => resolve());
        if (ws.readyState === WebSocket.OPEN) ws.close(1001, 'agent stopping');
        else ws.terminate();
      });
    }
    await this.#ownRunner?.close();
  }

  #connect(): void {
    if (this.#state === 'stopped') return;
    this.#state = 'connecting';
    const ws = new WebSocket(this.#o.server, { perMessageDeflate: false, handshakeTimeout: this.#o.connectTimeoutMs, maxPayload: 8 * 1024 * 1024 });
    this.#ws = ws;
    ws.on('open', () => this.#onOpen(ws));
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (ws === this.#ws) this.#onFrame(isBinary ? data : data.toString('utf8'));
    });
    ws.on('close', () => this.#onClose(ws));
    ws.on('error', (err) => this.#o.logger.warn('connection error', { server: this.#o.server, error: err.message }));
  }

  #onOpen(ws: WebSocket): void {
    if (ws !== this.#ws) return;
    this.#lastHeard = Date.now();
    // A gateway that accepts the socket but never answers must not hold the agent forever.
    const authTimer = setTimeout(() => {
      if (ws === this.#ws && this.#state !== 'online') {
        this.#o.logger.warn('no welcome from core in time; reconnecting', { afterMs: this.#o.connectTimeoutMs });
        ws.terminate();
      }
    }, this.#o.connectTimeoutMs);
    ws.once('close', () => clearTimeout(authTimer));
    if (this.#identity) this.#sendHello();
    else {
      this.#state = 'enrolling';
      this.#send({ type: 'enrol', protocolVersion: PROTOCOL_VERSION, enrolToken: this.#o.enrolToken as string, facts: this.#facts });
    }
  }

  #sendHello(): void {
    const identity = this.#identity as AgentIdentity;
    this.#state = 'authenticating';
    const activeRuns = new Set([...this.#runs.ids(), ...this.#outbox.runs()]);
    this.#send({
      type: 'hello', protocolVersion: PROTOCOL_VERSION, agentId: identity.agentId, credential: identity.credential,
      facts: this.#facts, epoch: this.#outbox.epoch, activeRuns: [...activeRuns],
    });
  }

  #onFrame(frame: unknown): void {
    this.#lastHeard = Date.now();
    const parsed = parseServerMessage(frame);
    if (!parsed.ok) {
      this.#o.logger.warn('refused a frame from core', { ...parsed.error });
      this.#send({ type: 'error', code: parsed.error.code, message: parsed.error.message });
      return;
    }
    this.#handle(parsed.message);
  }

  #handle(m: ServerMessage): void {
    switch (m.type) {
      case 'enrolled':
        void this.#onEnrolled(m.agentId, m.credential);
        return;
      case 'welcome':
        this.#state = 'online';
        this.#attempt = 0;
        this.#o.logger.info('online', { agentId: m.agentId, unacknowledged: this.#outbox.size });
        for (const text of this.#outbox.pending()) this.#ws?.send(text);
        this.#startHeartbeat(m.heartbeatSeconds);
        this.emit('online', m.agentId);
        return;
      case 'run':
        this.#runs.submit(m);
        return;
      case 'cancel':
        this.#runs.cancel(m.runId);
        return;
      case 'ack':
        this.#outbox.ack(m.seqs);
        return;
      case 'heartbeat-ack':
        return;
      case 'error':
        void this.#onServerError(m);
        return;
    }
  }

  async #onEnrolled(agentId: string, credential: string): Promise<void> {
    const ws = this.#ws;
    this.#identity = { agentId, credential, server: this.#o.server, enrolledAt: new Date().toISOString() };
    try {
      await this.#store.save(this.#identity);
    } catch (err) {
      this.#problem('IDENTITY_UNWRITABLE', `enrolled as ${agentId} but could not store the credential in ${this.#store.file}: ${(err as Error).message}`);
    }
    this.#o.logger.info('enrolled', { agentId });
    this.emit('enrolled', agentId);
    if (ws === this.#ws && ws?.readyState === WebSocket.OPEN) this.#sendHello();
  }

  async #onServerError(m: ServerErrorMessage): Promise<void> {
    if (m.code === 'AGENT_REMOVED') {
      await this.#onRemoved(m.message);
      return;
    }
    this.#problem(m.code, m.message);
    if (m.code === 'ENROL_TOKEN_INVALID' || m.code === 'PROTOCOL_VERSION_UNSUPPORTED' || m.code === 'CREDENTIAL_INVALID') {
      // Retrying soon will not help: the next try waits longer than any backoff.
      this.#refusal = 'refused';
    }
    if (m.code === 'CREDENTIAL_INVALID' && this.#o.enrolToken) {
      // Core no longer knows this identity (e.g. the host was deleted): enrol again on the next connection.
      this.#identity = null;
      await this.#store.clear();
    }
  }

  /**
   * An administrator removed this host. The identity is kept on purpose: core knows the agent by its id
   * whatever IP it reports next, and once the host is re-admitted the old credential is refused as
   * `CREDENTIAL_INVALID`, which makes an agent with a token enrol again. Scripts still running stop: core
   * ended their runs and will not take their results.
   */
  async #onRemoved(detail: string): Promise<void> {
    this.#refusal = 'removed';
    const ms = this.#o.reconnect.removedMs;
    const within = ms >= 120_000 ? `${Math.round(ms / 60_000)} min` : `${Math.ceil(ms / 1000)} s`;
    this.#problem('AGENT_REMOVED', `this host was removed from its project by an administrator and must be re-admitted (project Hosts page, Removed hosts, Re-admit) before it can connect again; the agent asks again within ${within}, or at once when restarted (core said: ${detail})`);
    await this.#runs.cancelAll();
  }

  #problem(code: string, message: string): void {
    this.#o.logger.error(message, { code });
    this.emit('problem', { code, message });
  }

  #onClose(ws: WebSocket): void {
    if (ws !== this.#ws) return;
    this.#ws = null;
    this.#stopHeartbeat();
    if (this.#state === 'stopped') return;
    const wasOnline = this.#state === 'online';
    const delay = this.#refusal === 'removed' ? removedDelay(this.#o.reconnect)
      : this.#refusal === 'refused' ? refusedDelay(this.#o.reconnect) : reconnectDelay(this.#attempt++, this.#o.reconnect);
    this.#refusal = null;
    this.#o.logger.warn('disconnected; reconnecting', { inMs: delay, unacknowledged: this.#outbox.size });
    if (wasOnline) this.emit('offline');
    this.#schedule(delay);
  }

  #schedule(delayMs: number): void {
    this.#state = 'waiting';
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = null;
      this.#connect();
    }, delayMs);
  }

  #startHeartbeat(seconds: number): void {
    this.#stopHeartbeat();
    const intervalMs = seconds * 1000;
    this.#heartbeatTimer = setInterval(() => {
      if (Date.now() - this.#lastHeard > DEAD_AFTER_INTERVALS * intervalMs) {
        this.#o.logger.warn('core silent for three heartbeats; reconnecting');
        this.#ws?.terminate();
        return;
      }
      this.#send({ type: 'heartbeat', sentAt: Date.now(), running: this.#runs.running, queued: this.#runs.queued });
    }, intervalMs);
  }

  #stopHeartbeat(): void {
    if (this.#heartbeatTimer) clearInterval(this.#heartbeatTimer);
    this.#heartbeatTimer = null;
  }

  /** Keeps a run message until acked; sends it now when online, else after the next `welcome`. */
  #post(message: UnsequencedMessage): void {
    const text = this.#outbox.add(message);
    if (this.#state === 'online') this.#ws?.send(text);
  }

  #send(message: AgentMessage): void {
    if (this.#ws?.readyState === WebSocket.OPEN) this.#ws.send(JSON.stringify(message));
  }
}
