/** Where the agent reports what it does. */
export interface AgentLogger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** Drops everything (tests, and the emulated agents of a swarm). */
export const silentLogger: AgentLogger = { info() {}, warn() {}, error() {} };

const LEVELS = { info: 0, warn: 1, error: 2, silent: 3 } as const;
/** Lowest level a {@link jsonLogger} writes. */
export type LogLevel = keyof typeof LEVELS;

/** One JSON object per line on stderr: `{"time","level","msg",...fields}`. */
export function jsonLogger(level: LogLevel = 'info', bindings: Record<string, unknown> = {}): AgentLogger {
  const write = (at: Exclude<LogLevel, 'silent'>, msg: string, fields?: Record<string, unknown>): void => {
    if (LEVELS[at] < LEVELS[level]) return;
    process.stderr.write(JSON.stringify({ time: new Date().toISOString(), level: at, msg, ...bindings, ...fields }) + '\n');
  };
  return {
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
  };
}
