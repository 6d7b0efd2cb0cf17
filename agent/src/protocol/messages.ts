/**
 * Every message exchanged between an agent and a core gateway. Each is one JSON text frame with a
 * `type` discriminator. See `index.ts` for the conversation and the design choices.
 */

/** Script languages an agent can run. */
export const SCRIPT_LANGUAGES = ['bash', 'sh', 'python3', 'perl', 'powershell'] as const;
/** A script language. */
export type ScriptLanguage = (typeof SCRIPT_LANGUAGES)[number];

/** Which pipe of the script an output chunk came from. */
export type OutputStream = 'stdout' | 'stderr';

/** What an agent tells core about the machine it runs on. */
export interface HostFacts {
  hostname: string;
  /** `os.platform()`, `os.release()`, `os.arch()` of the host. */
  os: { platform: string; release: string; arch: string };
  /** The host's IPs, the one it is known by first. Hosts are identified by `(cloudArea, ips[0])`. */
  ips: string[];
  /** Cloud area (bk-job's `bk_cloud_id`): the same private IP in two areas is two hosts. */
  cloudArea: number;
  agentVersion: string;
  /** Languages this host can run now (powershell only where `pwsh` is installed). */
  languages: ScriptLanguage[];
}

// ---------------------------------------------------------------- agent -> core

/** First message of a new agent: trade a project enrolment token for an identity. */
export interface EnrolMessage {
  type: 'enrol';
  protocolVersion: number;
  enrolToken: string;
  facts: HostFacts;
}

/** First message of an enrolled agent on every connection: authenticate and describe the host. */
export interface HelloMessage {
  type: 'hello';
  protocolVersion: number;
  agentId: string;
  credential: string;
  facts: HostFacts;
  /**
   * Random id of this agent process's outbox. Sequence numbers restart at 1 in a new epoch, so core
   * deduplicates on `(agentId, epoch, seq)`.
   */
  epoch: string;
  /** Runs this agent still holds (queued, running, or with unacknowledged output or result). */
  activeRuns: string[];
}

/** Liveness, sent every `heartbeatSeconds` from `welcome`. */
export interface HeartbeatMessage {
  type: 'heartbeat';
  /** Agent clock, epoch milliseconds. */
  sentAt: number;
  running: number;
  queued: number;
}

/** Fields every outbox message carries: it is kept and re-sent until core acknowledges `seq`. */
export interface Sequenced {
  /** Strictly increasing within an epoch, starting at 1. */
  seq: number;
  runId: string;
}

/** A run moved to a new state (queued behind the concurrency limit, or started). */
export interface RunStateMessage extends Sequenced {
  type: 'run-state';
  state: 'queued' | 'running';
  /** Epoch milliseconds. */
  at: number;
}

/** A slice of a run's log: raw bytes, never decoded to text by the agent. */
export interface OutputChunkMessage extends Sequenced {
  type: 'output';
  /**
   * Byte offset of this chunk in the run's log: stdout and stderr interleaved in the order the agent
   * read them. Chunks of one run never overlap, so storing by offset is idempotent.
   */
  offset: number;
  /** The bytes, base64. */
  data: string;
  stream: OutputStream;
}

/** The tag a script set with `job_success "msg"` or `job_fail "msg"`. */
export interface ResultTag {
  kind: 'success' | 'fail';
  message: string;
}

/** Why a run could not start or finish normally (distinct from the script failing). */
export interface RunFailure {
  /** Stable code, e.g. `LANGUAGE_UNAVAILABLE`, `RUN_AS_UNKNOWN_USER`, `PARAMS_INVALID`. */
  code: string;
  message: string;
}

/** The end of a run. Exactly one per run; core keeps the first and ignores repeats. */
export interface RunResultMessage extends Sequenced {
  type: 'result';
  /** Exit code, or null when the process was ended by a signal or never started. */
  exitCode: number | null;
  /** Signal name (e.g. `SIGKILL`) when the process was ended by one. */
  signal: string | null;
  tag: ResultTag | null;
  /** Epoch milliseconds; null when the script never started (cancelled while queued, failure). */
  startedAt: number | null;
  endedAt: number;
  timedOut: boolean;
  cancelled: boolean;
  /** Total bytes of the log: core has the whole log once it holds `[0, logBytes)`. */
  logBytes: number;
  /** The agent stopped keeping output past its per-run limit. */
  logTruncated: boolean;
  /** Set when the agent could not run the script at all. */
  failure: RunFailure | null;
}

/** Something the agent refused, e.g. a malformed server message. */
export interface AgentErrorMessage {
  type: 'error';
  code: string;
  message: string;
  runId?: string;
}

/** Every message an agent sends. */
export type AgentMessage =
  | EnrolMessage
  | HelloMessage
  | HeartbeatMessage
  | RunStateMessage
  | OutputChunkMessage
  | RunResultMessage
  | AgentErrorMessage;

/** The agent messages kept in the outbox until acknowledged. */
export type OutboxMessage = RunStateMessage | OutputChunkMessage | RunResultMessage;

// ---------------------------------------------------------------- core -> agent

/** Answer to `enrol`: the identity to store and authenticate with from now on. */
export interface EnrolledMessage {
  type: 'enrolled';
  agentId: string;
  credential: string;
}

/** Answer to a valid `hello`: the agent is online. */
export interface WelcomeMessage {
  type: 'welcome';
  agentId: string;
  protocolVersion: number;
  /** How often to send `heartbeat`. */
  heartbeatSeconds: number;
  /** Core clock, epoch milliseconds. */
  serverTime: number;
}

/** Run a script. Repeating a `run` with a known `runId` is harmless: the agent ignores it. */
export interface RunScriptMessage {
  type: 'run';
  runId: string;
  language: ScriptLanguage;
  script: string;
  /** Parameter string, split like a shell would (quotes and backslashes; no expansion). */
  params: string;
  env: Record<string, string>;
  /** OS user to run as; null runs as the agent's own user. */
  runAs: string | null;
  timeoutSeconds: number;
}

/** Stop a run: remove it from the queue, or kill its process group. */
export interface CancelMessage {
  type: 'cancel';
  runId: string;
}

/** Core stored these outbox messages: the agent may forget them. */
export interface AckMessage {
  type: 'ack';
  seqs: number[];
}

/** Answer to `heartbeat`, so the agent can tell a dead connection from a quiet one. */
export interface HeartbeatAckMessage {
  type: 'heartbeat-ack';
  serverTime: number;
}

/**
 * The codes of the refusals an agent acts on (each a fatal `error` that ends the connection):
 * - `ENROL_TOKEN_INVALID`: the enrolment token is unknown, revoked or expired;
 * - `CREDENTIAL_INVALID`: unknown agent id or wrong credential (an agent with a token enrols again);
 * - `PROTOCOL_VERSION_UNSUPPORTED`: the gateway does not speak the agent's `protocolVersion`;
 * - `AGENT_REMOVED`: an administrator removed this host from its project. Neither the agent's credential
 *   nor any enrolment token of that project admits the host again until an administrator re-admits it,
 *   so the agent keeps its identity and asks again only rarely.
 */
export const AGENT_REFUSAL_CODES = ['ENROL_TOKEN_INVALID', 'CREDENTIAL_INVALID', 'PROTOCOL_VERSION_UNSUPPORTED', 'AGENT_REMOVED'] as const;
/** A refusal an agent acts on; see {@link AGENT_REFUSAL_CODES}. */
export type AgentRefusalCode = (typeof AGENT_REFUSAL_CODES)[number];

/**
 * A refusal. `fatal` errors are followed by the gateway closing the connection; the codes an agent
 * acts on are the {@link AGENT_REFUSAL_CODES}.
 */
export interface ServerErrorMessage {
  type: 'error';
  code: string;
  message: string;
  fatal: boolean;
  runId?: string;
}

/** Every message core sends. */
export type ServerMessage =
  | EnrolledMessage
  | WelcomeMessage
  | RunScriptMessage
  | CancelMessage
  | AckMessage
  | HeartbeatAckMessage
  | ServerErrorMessage;
