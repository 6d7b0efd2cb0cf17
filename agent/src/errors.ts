/**
 * An agent-side failure with a stable code. Codes that describe why a run could not run travel to core
 * in `result.failure`; the others end up in the agent's log or the CLI's exit message.
 */
export class AgentError extends Error {
  constructor(readonly code: AgentErrorCode, message: string) {
    super(message);
    this.name = 'AgentError';
  }
}

/** Every code an {@link AgentError} can carry. */
export type AgentErrorCode =
  | 'CONFIG_INVALID'
  | 'PARAMS_INVALID'
  | 'LANGUAGE_UNAVAILABLE'
  | 'RUN_AS_NOT_PERMITTED'
  | 'RUN_AS_UNKNOWN_USER'
  | 'RUN_SETUP_FAILED'
  | 'SPAWN_FAILED'
  | 'LAUNCHER_LOST'
  | 'IDENTITY_UNREADABLE';
