import type { OutputStream } from './protocol/index.js';

/** What to start: a program with its arguments, its whole environment, a directory and an account. */
export interface LaunchSpec {
  program: string;
  args: string[];
  env: Record<string, string>;
  cwd: string;
  /** Another account to run as (the launcher must be root); null keeps the agent's own. */
  user: { uid: number; gid: number } | null;
}

/** What a launched process reports, in this order: `started` or `failed`, output, `exited`/`drained`. */
export interface LaunchHandlers {
  /** The program runs as `pid`, the leader of its own session and process group. */
  started(pid: number): void;
  /** It could not be started (no such program, run-as refused, …); nothing else follows. */
  failed(error: Error): void;
  output(stream: OutputStream, bytes: Buffer): void;
  /** The process ended; its pipes may stay open while background children hold them. */
  exited(code: number | null, signal: NodeJS.Signals | null): void;
  /** Both pipes reached end of file. */
  drained(): void;
  /** The launcher itself died: how the process ended will never be known. */
  lost(error: Error): void;
}

/** A process given to a launcher. */
export interface LaunchedProcess {
  /** Stops reading its pipes and forgets it (after it ended and its pipes drained or the wait ran out). */
  release(): void;
}

/**
 * Starts script processes. Two implementations: the agent spawning them itself, and a small
 * long-lived launcher process that forks them (much cheaper than forking the agent's large process).
 * Killing is not here: the caller signals the process group of the pid it was given.
 */
export interface ProcessLauncher {
  readonly kind: 'zygote' | 'spawn';
  launch(spec: LaunchSpec, handlers: LaunchHandlers): LaunchedProcess;
  /** Ends the launcher; processes it started keep running. */
  close(): Promise<void>;
}
