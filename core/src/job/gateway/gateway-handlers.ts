import type { HostFacts, OutboxMessage, RunScriptMessage, ServerMessage } from '@opsloom/agent/protocol';
import type { AgentReport, ReportOutcome } from './report-writer.js';

/** A run message for one agent. */
export interface AgentDelivery {
  agentId: string;
  message: RunScriptMessage;
}

/**
 * What the gateway asks of the job service. The gateway owns connections and the protocol; every
 * decision about hosts and runs is made behind this interface.
 */
export interface GatewayHandlers {
  /** Trades an enrolment token for an identity. @throws AgentAuthError */
  enrol(token: string, facts: HostFacts): Promise<{ agentId: string; credential: string }>;
  /** Checks a credential; returns the gateway that owned the agent's last connection. @throws AgentAuthError */
  authenticate(agentId: string, credential: string): Promise<{ previousGateway: string | null }>;
  /** The agent is now connected here (connection `connectionId`), with these facts. */
  connected(agentId: string, connectionId: string, facts: HostFacts): Promise<void>;
  /** After `hello`: the runs to (re)send, given the runs the agent still holds; runs it lost are ended. */
  reconcile(agentId: string, activeRuns: string[]): Promise<ServerMessage[]>;
  /** The connection closed. */
  disconnected(agentId: string, connectionId: string): Promise<void>;
  /** Agents heard from since the last call (heartbeats, reports). */
  seen(agentIds: string[]): Promise<void>;
  /** Stores run states, output and results in one go. */
  storeReports(reports: AgentReport[]): Promise<ReportOutcome>;
  /** Builds the run messages of a dispatch routed here from another process. */
  loadDeliveries(jobId: string, runIds: string[]): Promise<AgentDelivery[]>;
}

/** Messages between gateways of a cluster, on each gateway's own channel. */
export type GatewayCommand =
  | { kind: 'dispatch'; jobId: string; runIds: string[] }
  | { kind: 'cancel'; agentId: string; runId: string }
  | { kind: 'kick'; agentId: string; keepConnectionId: string }
  /** The agent's host was removed: tell the agent (`AGENT_REMOVED`, with `message`) and drop its connection. */
  | { kind: 'removed'; agentId: string; message: string };

export type { AgentReport, OutboxMessage };
