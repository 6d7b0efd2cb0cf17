import { ConfigError, type JobSettings } from '../config/config.js';

/** Settings of the job service, from the environment or the config file (defaults follow bk-job). */
export interface JobOptions {
  /** `OPSLOOM_JOB_DEFAULT_TIMEOUT`: run timeout when a request sets none, seconds. @default 7200 */
  defaultTimeoutSeconds: number;
  /** `OPSLOOM_JOB_MAX_TIMEOUT`: longest timeout a request may set, seconds. @default 259200 (3 days) */
  maxTimeoutSeconds: number;
  /** `OPSLOOM_JOB_GRACE`: how long past its timeout a run may stay without a result before it ends as failed, seconds. @default 300 */
  graceMs: number;
  /** `OPSLOOM_AGENT_HEARTBEAT`: heartbeat interval agents are told to use, seconds. @default 15 */
  heartbeatSeconds: number;
  /** `OPSLOOM_JOB_SWEEP_MS`: how often overdue runs and silent agents are swept. @default 5000 */
  sweepIntervalMs: number;
}

function int(settings: JobSettings, key: keyof JobSettings, fallback: number, min: number, max: number): number {
  const raw = settings[key];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw.trim())) throw new ConfigError(key, `"${raw}" is not a whole number`);
  const n = Number(raw);
  if (n < min || n > max) throw new ConfigError(key, `${n} is out of range ${min}..${max}`);
  return n;
}

/**
 * Reads the job service's settings.
 * @throws ConfigError naming the setting when a value is malformed or the timeouts contradict each other.
 */
export function compileJobOptions(settings: JobSettings = {}): JobOptions {
  const maxTimeoutSeconds = int(settings, 'OPSLOOM_JOB_MAX_TIMEOUT', 259_200, 1, 259_200);
  const defaultTimeoutSeconds = int(settings, 'OPSLOOM_JOB_DEFAULT_TIMEOUT', Math.min(7200, maxTimeoutSeconds), 1, 259_200);
  if (defaultTimeoutSeconds > maxTimeoutSeconds) {
    throw new ConfigError('OPSLOOM_JOB_DEFAULT_TIMEOUT', `${defaultTimeoutSeconds} exceeds OPSLOOM_JOB_MAX_TIMEOUT (${maxTimeoutSeconds})`);
  }
  return {
    defaultTimeoutSeconds,
    maxTimeoutSeconds,
    graceMs: int(settings, 'OPSLOOM_JOB_GRACE', 300, 0, 86_400) * 1000,
    heartbeatSeconds: int(settings, 'OPSLOOM_AGENT_HEARTBEAT', 15, 1, 3600),
    sweepIntervalMs: int(settings, 'OPSLOOM_JOB_SWEEP_MS', 5000, 50, 600_000),
  };
}
