/**
 * The Opsloom host agent. Most users run the `opsloom-agent` command; this entry point is for
 * embedding (core's "local agent" in embedded mode, benchmarks). The protocol is on the dependency-free
 * subpath `@opsloom/agent/protocol`.
 */
export { Agent, type AgentState } from './agent.js';
export { type AgentOptions, type CompiledAgentOptions, compileAgentOptions } from './agent-options.js';
export { reconnectDelay, refusedDelay, type BackoffOptions } from './backoff.js';
export { AgentError, type AgentErrorCode } from './errors.js';
export { type AgentLogger, type LogLevel, jsonLogger, silentLogger } from './logger.js';
export { splitParams } from './params.js';
export { Swarm, type SwarmOptions, swarmIp } from './swarm.js';
export { AGENT_VERSION } from './version.js';
