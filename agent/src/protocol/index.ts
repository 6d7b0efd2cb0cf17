/**
 * The Opsloom agent protocol: what a host agent and a core gateway say to each other over one
 * WebSocket at {@link AGENT_GATEWAY_PATH}. Dependency-free, so core, the portal and the agent share it.
 *
 * ## The conversation
 * 1. A new agent sends `enrol` (project enrolment token + host facts) and receives `enrolled`
 *    (agent id + credential). It stores both (mode 0600) and never enrols again.
 * 2. On every connection an enrolled agent first sends `hello` (agent id, credential, protocol version,
 *    host facts, outbox epoch, active runs) and receives `welcome`. Before `welcome`, core sends nothing else.
 * 3. The agent sends `heartbeat` every `welcome.heartbeatSeconds`; core answers `heartbeat-ack`. Either
 *    side treats three missed intervals as a dead connection. The agent reconnects with jittered
 *    exponential backoff so a restarted core is not hit by every agent at the same instant.
 * 4. Core sends `run` and `cancel`. The agent answers with `run-state`, `output` and `result`.
 * 5. Core may refuse `enrol` or `hello` with a fatal `error` ({@link AGENT_REFUSAL_CODES}) and close.
 *    `AGENT_REMOVED` means an administrator removed the host: it arrives on the open connection when
 *    the host is removed, and answers every later `hello` of that agent and every `enrol` of that
 *    `(cloudArea, ip)` with the project's tokens until an administrator re-admits the host.
 *
 * ## Delivery: why nothing is lost and nothing is recorded twice
 * `run-state`, `output` and `result` are *outbox messages*: each carries a `seq`, strictly increasing
 * within the agent process's `epoch` (announced in `hello`). The agent keeps each one until core sends
 * an `ack` listing its `seq`, and re-sends every unacknowledged one, in order, after each `welcome`.
 * Core stores first and acks after; a repeat is recognised by `(agentId, epoch, seq)`, and the content
 * is idempotent besides: output is stored by `(runId, offset)` and a run has a single `result`.
 * A script keeps running while the connection is down; its output and result wait in the outbox.
 * Not covered: a restart of the agent process itself loses its in-memory outbox and running scripts;
 * `hello.activeRuns` (empty after a restart) lets core end such runs at once instead of waiting.
 *
 * ## Output
 * Output is bytes, never text: `output.data` is base64 and `output.offset` is the byte offset in the
 * run's log (stdout and stderr interleaved in read order, `stream` says which). A multibyte character
 * split between chunks, or bytes that are not UTF-8, reach core unchanged; decoding is the reader's choice.
 *
 * ## Result
 * `result` reports exit code, signal, the tag set by `job_success "msg"` / `job_fail "msg"` (which also
 * exit 0 / 1, as in bk-job), start/end times, timed-out and cancelled flags, and the log length. A run the
 * agent could not start at all (unknown user, missing interpreter, bad parameters) still ends with a
 * `result`, whose `failure` says why.
 *
 * ## Validation
 * Every frame is checked by {@link parseAgentMessage} / {@link parseServerMessage}: unknown types,
 * unknown fields, wrong types and out-of-range values ({@link PROTOCOL_LIMITS}) are refused with the
 * path of the offending field. Authorisation (an agent reporting a run it was not given, or for
 * another host) is the gateway's job: it knows which runs it dispatched to which agent.
 *
 * @example
 * import { parseAgentMessage, PROTOCOL_VERSION } from '@opsloom/agent/protocol';
 * const r = parseAgentMessage(frameText);
 * if (r.ok && r.message.type === 'hello' && r.message.protocolVersion === PROTOCOL_VERSION) { ... }
 */
export { PROTOCOL_VERSION, AGENT_GATEWAY_PATH } from './version.js';
export { PROTOCOL_LIMITS } from './limits.js';
export { parseAgentMessage, parseServerMessage } from './parse.js';
export type { ParseResult, ProtocolViolation } from './parse.js';
export { AGENT_REFUSAL_CODES, SCRIPT_LANGUAGES } from './messages.js';
export type {
  AckMessage, AgentErrorMessage, AgentMessage, AgentRefusalCode, CancelMessage, EnrolMessage, EnrolledMessage, HeartbeatAckMessage,
  HeartbeatMessage, HelloMessage, HostFacts, OutboxMessage, OutputChunkMessage, OutputStream, ResultTag, RunFailure,
  RunResultMessage, RunScriptMessage, RunStateMessage, ScriptLanguage, Sequenced, ServerErrorMessage, ServerMessage,
  WelcomeMessage,
} from './messages.js';
