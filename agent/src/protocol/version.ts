/**
 * The agent protocol version. An agent sends it in `enrol` and `hello`; a gateway that does not speak it
 * answers with an `error` whose code is `PROTOCOL_VERSION_UNSUPPORTED` and closes the connection.
 * Bump it only for changes an old peer would misread; adding an optional field is not such a change.
 */
export const PROTOCOL_VERSION = 1;

/** The WebSocket path a core gateway serves the protocol on. */
export const AGENT_GATEWAY_PATH = '/agent/v1';
