import type { OutputStream } from './protocol/index.js';

/** A piece of a run's log, ready to become an `output` message. */
export interface LogChunk {
  offset: number;
  stream: OutputStream;
  bytes: Buffer;
}

/** Limits for {@link OutputChunker}. */
export interface ChunkerOptions {
  /** Largest chunk in bytes. */
  chunkBytes: number;
  /** How long small writes are gathered before they are sent. */
  flushMs: number;
  /** Bytes kept per run; the rest is dropped and the result says `logTruncated`. */
  maxLogBytes: number;
}

/**
 * Turns the pipes' reads into log chunks with byte offsets. Small reads from the same stream are
 * gathered for `flushMs` so a chatty script does not become one message per line; bytes are only
 * sliced, never decoded, so a multibyte character split between chunks arrives whole when joined.
 */
export class OutputChunker {
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  #pendingStream: OutputStream = 'stdout';
  #timer: NodeJS.Timeout | null = null;
  #offset = 0;
  #truncated = false;

  constructor(private readonly options: ChunkerOptions, private readonly emit: (chunk: LogChunk) => void) {}

  /** Bytes of log emitted or pending so far. */
  get logBytes(): number {
    return this.#offset + this.#pendingBytes;
  }

  get truncated(): boolean {
    return this.#truncated;
  }

  /** Adds bytes read from a pipe. */
  push(stream: OutputStream, data: Buffer): void {
    const room = this.options.maxLogBytes - this.logBytes;
    if (room <= 0) {
      this.#truncated ||= data.length > 0;
      return;
    }
    if (data.length > room) {
      data = data.subarray(0, room);
      this.#truncated = true;
    }
    if (this.#pendingBytes > 0 && stream !== this.#pendingStream) this.flush();
    this.#pendingStream = stream;
    this.#pending.push(data);
    this.#pendingBytes += data.length;
    // Full chunks go at once; a remainder waits up to flushMs for more bytes to join it.
    if (this.#pendingBytes >= this.options.chunkBytes) this.#emit(false);
    if (this.#pendingBytes > 0 && !this.#timer) this.#timer = setTimeout(() => this.flush(), this.options.flushMs);
  }

  /** Emits everything pending, in chunks of at most `chunkBytes`. */
  flush(): void {
    if (this.#timer) {
      clearTimeout(this.#timer);
      this.#timer = null;
    }
    this.#emit(true);
  }

  #emit(all: boolean): void {
    if (this.#pendingBytes === 0) return;
    const bytes = this.#pending.length === 1 ? this.#pending[0] : Buffer.concat(this.#pending);
    const size = this.options.chunkBytes;
    const end = all ? bytes.length : bytes.length - (bytes.length % size);
    for (let at = 0; at < end; at += size) {
      const chunk = bytes.subarray(at, Math.min(at + size, end));
      this.emit({ offset: this.#offset, stream: this.#pendingStream, bytes: chunk });
      this.#offset += chunk.length;
    }
    const rest = bytes.subarray(end);
    this.#pending = rest.length > 0 ? [rest] : [];
    this.#pendingBytes = rest.length;
    if (rest.length === 0 && this.#timer) {
      clearTimeout(this.#timer);
      this.#timer = null;
    }
  }
}
