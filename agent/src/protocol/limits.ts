/**
 * Bounds every field of the protocol is checked against. Both sides use the same numbers, so an agent
 * never produces a message the gateway would refuse.
 */
export const PROTOCOL_LIMITS = {
  /** Longest script text, in UTF-16 code units (a script is text; its output is bytes). */
  scriptChars: 4 * 1024 * 1024,
  /** Longest parameter string. */
  paramsChars: 64 * 1024,
  /** Most environment variables per run. */
  envEntries: 256,
  /** Longest environment value. */
  envValueChars: 64 * 1024,
  /** Longest run id, agent id, credential or token. */
  idChars: 128,
  /** Longest secret (credential, enrolment token). */
  secretChars: 512,
  /** Largest output chunk, in raw bytes (before base64). */
  chunkBytes: 1024 * 1024,
  /** Longest result tag message (bk-job's RESULT_GROUP_TAG_MAX_LENGTH). */
  tagChars: 256,
  /** Smallest and largest run timeout in seconds (bk-job: 1 s to 3 days). */
  timeoutSecondsMin: 1,
  timeoutSecondsMax: 259_200,
  /** Most sequence numbers in one `ack`. */
  ackSeqs: 10_000,
  /** Most IPs in host facts. */
  ips: 64,
  /** Most run ids listed in `hello.activeRuns`. */
  activeRuns: 10_000,
  /** Longest free text (messages, host names, OS strings). */
  textChars: 4096,
} as const;
