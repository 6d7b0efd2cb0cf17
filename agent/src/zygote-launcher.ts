import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { constants } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { AgentError } from './errors.js';
import type { LaunchHandlers, LaunchSpec, LaunchedProcess, ProcessLauncher } from './process-launcher.js';
import { ZYGOTE_PROGRAM } from './zygote-program.js';

type LauncherChild = ChildProcessByStdio<Writable, Readable, Readable>;

const SIGNAL_NAMES = new Map<number, NodeJS.Signals>(
  Object.entries(constants.signals).map(([name, n]) => [n, name as NodeJS.Signals]),
);

interface Entry {
  handlers: LaunchHandlers;
  started: boolean;
  open: number;
}

/**
 * Client of the zygote (see {@link ZYGOTE_PROGRAM}): one small python3 process per agent process starts
 * every script. If it dies, the runs it held are reported lost and the next launch starts a new one.
 */
export class ZygoteLauncher implements ProcessLauncher {
  readonly kind = 'zygote';
  #child: LauncherChild | null = null;
  #entries = new Map<number, Entry>();
  #nextId = 1;
  #inbox: Buffer[] = [];
  #inboxBytes = 0;
  #stderrTail = '';
  #closed = false;

  private constructor(private readonly python: string, private readonly file: string) {}

  /**
   * Writes the program into `dir` and starts it with `python` (python3); resolves once it said it is ready.
   * @throws AgentError `SPAWN_FAILED` when it cannot run.
   */
  static async start(python: string, dir: string): Promise<ZygoteLauncher> {
    const file = join(dir, 'opsloom-zygote.py');
    await writeFile(file, ZYGOTE_PROGRAM, { mode: 0o644 });
    const launcher = new ZygoteLauncher(python, file);
    await launcher.#spawn();
    return launcher;
  }

  launch(spec: LaunchSpec, handlers: LaunchHandlers): LaunchedProcess {
    const id = this.#nextId;
    this.#nextId = this.#nextId >= 0xffff_fffe ? 1 : this.#nextId + 1;
    const entry: Entry = { handlers, started: false, open: 2 };
    this.#entries.set(id, entry);
    if (this.#entries.size === 1) this.#hold(this.#child, true);
    const strings = [spec.cwd, spec.program, ...spec.args, ...Object.entries(spec.env).map(([k, v]) => `${k}=${v}`)];
    if (strings.some((s) => s.includes('\0'))) {
      this.#forget(id);
      queueMicrotask(() => handlers.failed(new Error('an argument or environment value contains a NUL byte')));
      return { release: () => undefined };
    }
    const head = Buffer.alloc(21);
    head.write('L', 0, 'latin1');
    head.writeUInt32BE(id, 1);
    head.writeInt32BE(spec.user?.uid ?? -1, 5);
    head.writeInt32BE(spec.user?.gid ?? -1, 9);
    head.writeUInt32BE(spec.args.length, 13);
    head.writeUInt32BE(Object.keys(spec.env).length, 17);
    this.#send(Buffer.concat([head, Buffer.from(strings.map((s) => `${s}\0`).join(''), 'utf8')]));
    return {
      release: () => {
        if (!this.#forget(id)) return;
        const frame = Buffer.alloc(5);
        frame.write('C', 0, 'latin1');
        frame.writeUInt32BE(id, 1);
        this.#send(frame);
      },
    };
  }

  async close(): Promise<void> {
    this.#closed = true;
    const child = this.#child;
    this.#child = null;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    this.#hold(child, true);
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      // End of its input is its signal to leave.
      child.stdin.end();
    });
  }

  #spawn(): Promise<void> {
    const child = spawn(this.python, ['-I', '-S', this.file], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.#child = child;
    this.#inbox = [];
    this.#inboxBytes = 0;
    child.stdin.on('error', () => undefined);
    child.stderr.on('data', (b: Buffer) => { this.#stderrTail = (this.#stderrTail + b.toString('utf8')).slice(-2000); });
    const ready = new Promise<void>((resolve, reject) => {
      let isReady = false;
      child.stdout.on('data', (b: Buffer) => this.#receive(b, () => {
        isReady = true;
        this.#hold(child, this.#entries.size > 0);
        resolve();
      }));
      let gone = false;
      const end = (why: string): void => {
        if (gone) return;
        gone = true;
        if (!isReady) reject(new AgentError('SPAWN_FAILED', `the script launcher (${this.python}) did not start: ${why}`));
        this.#onExit(child);
      };
      child.once('error', (err) => end(err.message));
      child.once('exit', (code, signal) => end(`exited with ${signal ?? code}: ${this.#stderrTail.trim()}`));
    });
    return ready;
  }

  /** Keeps the agent's event loop alive for the launcher only while it has processes in flight. */
  #hold(child: LauncherChild | null, busy: boolean): void {
    if (!child) return;
    const handles = [child, child.stdin, child.stdout, child.stderr] as unknown as { ref?: () => void; unref?: () => void }[];
    for (const h of handles) {
      if (busy) h.ref?.();
      else h.unref?.();
    }
  }

  #send(frame: Buffer): void {
    if (!this.#child && !this.#closed) {
      // The launcher died earlier: start a new one; its input pipe holds the frame until it reads.
      void this.#spawn().catch(() => undefined);
    }
    const child = this.#child;
    if (!child) return;
    const len = Buffer.alloc(4);
    len.writeUInt32BE(frame.length);
    child.stdin.write(Buffer.concat([len, frame]));
  }

  #forget(id: number): boolean {
    if (!this.#entries.delete(id)) return false;
    if (this.#entries.size === 0) this.#hold(this.#child, false);
    return true;
  }

  #onExit(child: LauncherChild): void {
    if (this.#child === child) this.#child = null;
    const entries = [...this.#entries.values()];
    this.#entries.clear();
    const error = new Error(`the script launcher exited: ${this.#stderrTail.trim() || 'no message'}`);
    for (const e of entries) {
      if (e.started) e.handlers.lost(error);
      else e.handlers.failed(error);
    }
  }

  #receive(data: Buffer, onReady: () => void): void {
    this.#inbox.push(data);
    this.#inboxBytes += data.length;
    if (this.#inboxBytes < 4) return;
    let buf = this.#inbox.length === 1 ? this.#inbox[0] as Buffer : Buffer.concat(this.#inbox);
    let at = 0;
    while (buf.length - at >= 4) {
      const len = buf.readUInt32BE(at);
      if (buf.length - at - 4 < len) break;
      this.#frame(buf.subarray(at + 4, at + 4 + len), onReady);
      at += 4 + len;
    }
    buf = buf.subarray(at);
    this.#inbox = buf.length > 0 ? [buf] : [];
    this.#inboxBytes = buf.length;
  }

  #frame(f: Buffer, onReady: () => void): void {
    const type = String.fromCharCode(f[0] as number);
    if (type === 'R') {
      onReady();
      return;
    }
    const entry = this.#entries.get(f.readUInt32BE(1));
    if (!entry) return;
    const h = entry.handlers;
    switch (type) {
      case 'S':
        entry.started = true;
        h.started(f.readUInt32BE(5));
        return;
      case 'F':
        this.#forget(f.readUInt32BE(1));
        h.failed(new Error(f.subarray(5).toString('utf8').trim()));
        return;
      case 'O':
        // A copy, so a small chunk does not pin the whole read buffer.
        h.output(f[5] === 1 ? 'stdout' : 'stderr', Buffer.from(f.subarray(6)));
        return;
      case 'E':
        if (--entry.open === 0) h.drained();
        return;
      case 'X': {
        const code = f.readInt32BE(5);
        const signal = f[9] as number;
        h.exited(code < 0 ? null : code, signal === 0 ? null : SIGNAL_NAMES.get(signal) ?? null);
      }
    }
  }
}
