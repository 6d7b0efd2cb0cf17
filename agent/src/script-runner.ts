import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { chmod, chown, mkdir, open, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AgentError } from './errors.js';
import { type JobHelperFiles, parseTag, writeJobHelpers } from './job-helpers.js';
import { type Interpreters, detectInterpreters, findExecutable, programFor } from './interpreters.js';
import { SCRIPT_EXTENSIONS, launchCommand } from './launch-command.js';
import { type ChunkerOptions, type LogChunk, OutputChunker } from './output-chunker.js';
import { splitParams } from './params.js';
import { PROTOCOL_LIMITS, type ResultTag, type RunFailure, type RunScriptMessage, type ScriptLanguage } from './protocol/index.js';
import type { ProcessLauncher } from './process-launcher.js';
import { type OsUser, resolveRunAs } from './run-as.js';
import { SpawnLauncher } from './spawn-launcher.js';
import { ZygoteLauncher } from './zygote-launcher.js';

/** Options of a {@link ScriptRunner}. */
export interface ScriptRunnerOptions {
  /** Where helpers and per-run directories live; must be reachable by run-as users. */
  workDir: string;
  /** After SIGTERM to a timed-out or cancelled run's process group, SIGKILL follows after this long. @default 2000 */
  killGraceMs: number;
  /** After the script exits, how long to wait for its pipes to close (background children may hold them). @default 500 */
  drainMs: number;
  chunker: ChunkerOptions;
  /** PATH used to find interpreters and given to scripts. @default process.env.PATH */
  path?: string;
  /**
   * How script processes are started: `zygote` (a small python3 launcher starts them), `spawn` (this
   * process forks them), or `auto` (the zygote where python3 is installed, else spawn). @default 'auto'
   */
  launcher?: 'auto' | 'zygote' | 'spawn';
}

/** How a run ended; becomes the `result` message. */
export interface RunOutcome {
  exitCode: number | null;
  signal: string | null;
  tag: ResultTag | null;
  startedAt: number | null;
  endedAt: number;
  timedOut: boolean;
  cancelled: boolean;
  logBytes: number;
  logTruncated: boolean;
  failure: RunFailure | null;
}

/** What a run reports while it goes. */
export interface RunCallbacks {
  started(at: number): void;
  output(chunk: LogChunk): void;
}

/** A run in progress. */
export interface RunningScript {
  readonly runId: string;
  /** Kills the run's whole process group (or stops it from starting). Idempotent. */
  cancel(): void;
  readonly outcome: Promise<RunOutcome>;
}

/** Variables passed through from the agent's own environment; everything else (secrets) stays out. */
const INHERITED_ENV = ['LANG', 'LC_ALL', 'LC_CTYPE', 'TZ', 'TMPDIR'];

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // the group is already gone
  }
}

/**
 * Runs scripts: one process group per run (started through a {@link ProcessLauncher} in a session of
 * its own, so timeout and cancel kill background children too), output as raw bytes, the `job_success`/`job_fail` tag read from a per-run file.
 * Scripts a run leaves behind after a *normal* exit keep running (a script may start a daemon); only
 * timeout and cancel kill the group. A child that starts its own session escapes the group: cgroups
 * would be needed for that.
 */
export class ScriptRunner {
  private constructor(
    private readonly options: ScriptRunnerOptions,
    private readonly helpers: JobHelperFiles,
    private readonly interpreters: Interpreters,
    private readonly launcher: ProcessLauncher,
  ) {}

  /**
   * Writes the job helpers, finds the interpreters and starts the launcher.
   * @throws AgentError `SPAWN_FAILED` when `launcher: 'zygote'` was asked for and cannot run.
   */
  static async create(options: ScriptRunnerOptions): Promise<ScriptRunner> {
    await mkdir(join(options.workDir, 'runs'), { recursive: true });
    await chmod(options.workDir, 0o711);
    await chmod(join(options.workDir, 'runs'), 0o711);
    const helpers = await writeJobHelpers(options.workDir);
    return new ScriptRunner(options, helpers, detectInterpreters(options.path), await startLauncher(options, helpers.dir));
  }

  /** Which launcher starts the scripts. */
  get launcherKind(): ProcessLauncher['kind'] {
    return this.launcher.kind;
  }

  /** Ends the launcher (running scripts keep running; cancel them first to stop them). */
  close(): Promise<void> {
    return this.launcher.close();
  }

  /** Languages this host can run. */
  get languages(): ScriptLanguage[] {
    return (Object.keys(this.interpreters) as ScriptLanguage[]).sort();
  }

  /** Starts a run at once (the caller enforces the concurrency limit). */
  start(spec: RunScriptMessage, callbacks: RunCallbacks): RunningScript {
    const chunker = new OutputChunker(this.options.chunker, callbacks.output);
    let cancelRequested = false;
    let terminate: ((why: 'cancel') => void) | null = null;
    const outcome = this.#run(spec, callbacks, chunker, () => cancelRequested, (fn) => { terminate = fn; });
    return {
      runId: spec.runId,
      cancel: () => {
        cancelRequested = true;
        terminate?.('cancel');
      },
      outcome,
    };
  }

  async #run(
    spec: RunScriptMessage, callbacks: RunCallbacks, chunker: OutputChunker,
    isCancelled: () => boolean, onTerminate: (fn: (why: 'cancel') => void) => void,
  ): Promise<RunOutcome> {
    const ended = (failure: RunFailure | null, extra: Partial<RunOutcome> = {}): RunOutcome => ({
      exitCode: null, signal: null, tag: null, startedAt: null, endedAt: Date.now(), timedOut: false,
      cancelled: isCancelled(), logBytes: chunker.logBytes, logTruncated: chunker.truncated, failure, ...extra,
    });
    let user: OsUser;
    let args: string[];
    try {
      args = splitParams(spec.params);
      if (!this.interpreters[spec.language]) {
        throw new AgentError('LANGUAGE_UNAVAILABLE', `${programFor(spec.language)} not installed on this host: install it to run ${spec.language} scripts here`);
      }
      user = await resolveRunAs(spec.runAs);
    } catch (err) {
      return ended(failureOf(err));
    }
    if (isCancelled()) return ended(null);

    const runDir = join(this.options.workDir, 'runs', `${spec.runId.replace(/[^A-Za-z0-9._-]/g, '_')}-${randomBytes(4).toString('hex')}`);
    const scriptFile = join(runDir, `script.${SCRIPT_EXTENSIONS[spec.language]}`);
    const resultFile = join(runDir, 'result');
    const asOther = user.uid !== process.getuid?.();
    try {
      await mkdir(runDir, { mode: 0o700 });
      await writeFile(scriptFile, spec.script, { mode: 0o600 });
      // The result file is created by the helpers; readTag refuses links and files of another owner.
      if (asOther) {
        await chown(runDir, user.uid, user.gid);
        await chown(scriptFile, user.uid, user.gid);
      }
    } catch (err) {
      await rm(runDir, { recursive: true, force: true });
      return ended({ code: 'RUN_SETUP_FAILED', message: `could not prepare the run directory ${runDir}: ${(err as Error).message}` });
    }
    if (isCancelled()) {
      await rm(runDir, { recursive: true, force: true });
      return ended(null);
    }

    const command = launchCommand(spec.language, this.interpreters[spec.language] as string, this.helpers, scriptFile, args);
    const env: Record<string, string> = { PATH: this.options.path ?? process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin' };
    for (const k of INHERITED_ENV) if (process.env[k] !== undefined) env[k] = process.env[k] as string;
    Object.assign(env, { HOME: user.home, USER: user.name, LOGNAME: user.name, SHELL: user.shell }, spec.env);
    Object.assign(env, { OPSLOOM_RUN_ID: spec.runId, OPSLOOM_RESULT_FILE: resultFile }, command.env);

    const startedAt = Date.now();
    let timedOut = false;
    let terminating = false;
    let killTimer: NodeJS.Timeout | null = null;
    const killWithGrace = (): void => {
      const leader = pid as number;
      killGroup(leader, 'SIGTERM');
      killTimer = setTimeout(() => killGroup(leader, 'SIGKILL'), this.options.killGraceMs);
    };
    let pid: number | null = null;
    let spawnError: Error | null = null;
    let lostError: Error | null = null;
    let onExit!: (e: { code: number | null; signal: NodeJS.Signals | null }) => void;
    let onDrained!: () => void;
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => { onExit = resolve; });
    const drained = new Promise<void>((resolve) => { onDrained = resolve; });
    const proc = this.launcher.launch({ program: command.program, args: command.args, env, cwd: runDir, user: asOther ? { uid: user.uid, gid: user.gid } : null }, {
      started: (p) => {
        pid = p;
        callbacks.started(startedAt);
        // Cancelled or timed out while the launcher was still starting it.
        if (terminating) killWithGrace();
      },
      failed: (err) => {
        spawnError = err;
        onExit({ code: null, signal: null });
        onDrained();
      },
      output: (stream, bytes) => chunker.push(stream, bytes),
      exited: (code, signal) => onExit({ code, signal }),
      drained: () => onDrained(),
      lost: (err) => {
        // Nobody can see this process end any more: end it, so it does not run on unaccounted.
        lostError = err;
        if (pid !== null) killGroup(pid, 'SIGKILL');
        onExit({ code: null, signal: null });
        onDrained();
      },
    });

    const terminate = (why: 'cancel' | 'timeout'): void => {
      if (why === 'timeout') timedOut = true;
      if (terminating) return;
      terminating = true;
      if (pid !== null) killWithGrace();
    };
    onTerminate(terminate);
    const timeout = setTimeout(() => terminate('timeout'), spec.timeoutSeconds * 1000);
    if (isCancelled()) terminate('cancel');

    const { code, signal } = await exited;
    clearTimeout(timeout);
    if (terminating && pid !== null) {
      // The leader is gone; whatever is left of its group goes now, not after the grace period.
      killGroup(pid, 'SIGKILL');
    }
    if (killTimer) clearTimeout(killTimer);
    let drainTimer: NodeJS.Timeout | undefined;
    await Promise.race([drained, new Promise<void>((resolve) => { drainTimer = setTimeout(resolve, this.options.drainMs); })]);
    clearTimeout(drainTimer);
    proc.release();
    chunker.flush();
    const tag = await readTag(resultFile, asOther ? user.uid : null);
    await rm(runDir, { recursive: true, force: true }).catch(() => undefined);
    const failure: RunFailure | null = spawnError
      ? { code: 'SPAWN_FAILED', message: `could not start ${command.program}: ${(spawnError as Error).message}` }
      : lostError ? { code: 'LAUNCHER_LOST', message: `${(lostError as Error).message}; the script was killed` } : null;
    return ended(failure, {
      exitCode: code, signal, tag, startedAt: pid === null ? null : startedAt, timedOut,
      cancelled: isCancelled() && !timedOut,
    });
  }
}

async function startLauncher(options: ScriptRunnerOptions, dir: string): Promise<ProcessLauncher> {
  const mode = options.launcher ?? 'auto';
  if (mode === 'spawn') return new SpawnLauncher();
  const python = findExecutable('python3', options.path);
  try {
    if (!python) throw new AgentError('SPAWN_FAILED', 'python3 is not installed, and the script launcher needs it');
    return await ZygoteLauncher.start(python, dir);
  } catch (err) {
    if (mode === 'zygote') throw err;
    return new SpawnLauncher();
  }
}

function failureOf(err: unknown): RunFailure {
  if (err instanceof AgentError) return { code: err.code, message: err.message };
  return { code: 'RUN_SETUP_FAILED', message: (err as Error).message ?? String(err) };
}

/**
 * Reads the tag file without trusting it: a script running as another user could have replaced it
 * with a link to a file only root can read, so links are refused and the owner must be that user.
 */
async function readTag(file: string, ownerUid: number | null): Promise<ResultTag | null> {
  let handle;
  try {
    handle = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    const st = await handle.stat();
    if (!st.isFile() || (ownerUid !== null && st.uid !== ownerUid)) return null;
    const buf = Buffer.alloc(4096);
    const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
    return parseTag(buf.subarray(0, bytesRead).toString('utf8'), PROTOCOL_LIMITS.tagChars);
  } catch {
    return null;
  } finally {
    await handle?.close();
  }
}
