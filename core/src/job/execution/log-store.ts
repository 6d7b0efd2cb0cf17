import type { Db } from '../../store/db.js';

/** A page of a run's log. */
export interface LogPage {
  offset: number;
  /** Offset to ask for next; equals `offset` when nothing more is stored yet. */
  nextOffset: number;
  /** Bytes stored for the run so far (the end of the contiguous log from 0). */
  storedBytes: number;
  data: Buffer;
}

interface ChunkRow { offset: number; end_offset: number; data: Buffer | Uint8Array }

/**
 * Script output as stored: raw bytes by `(run, offset)`, exactly as the agent read them. Pages are
 * cut at byte offsets, so a multibyte character or a non-UTF-8 sequence is never altered here;
 * decoding is the reader's choice.
 */
export class LogStore {
  constructor(private readonly db: Db) {}

  /** Up to `limit` bytes of the run's log from `offset`, stopping at the first gap. */
  async read(runId: string, offset: number, limit: number): Promise<LogPage> {
    const end = offset + limit;
    const rows = await this.db('job_run_logs').select('offset', 'end_offset', 'data').where({ run_id: runId })
      .where('end_offset', '>', offset).where('offset', '<', end).orderBy('offset') as ChunkRow[];
    const parts: Buffer[] = [];
    let at = offset;
    for (const r of rows) {
      const start = Number(r.offset);
      if (start > at) break;
      const buf = Buffer.from(r.data);
      const from = at - start;
      const to = Math.min(buf.length, end - start);
      if (to > from) {
        parts.push(buf.subarray(from, to));
        at = start + to;
      }
      if (at >= end) break;
    }
    return { offset, nextOffset: at, storedBytes: await this.storedBytes(runId), data: Buffer.concat(parts) };
  }

  /** Bytes stored for the run, from 0 to the first gap. */
  async storedBytes(runId: string): Promise<number> {
    const rows = await this.db('job_run_logs').select('offset', 'end_offset').where({ run_id: runId }).orderBy('offset') as { offset: number; end_offset: number }[];
    let at = 0;
    for (const r of rows) {
      if (Number(r.offset) > at) break;
      at = Math.max(at, Number(r.end_offset));
    }
    return at;
  }

  /** The first `maxBytes` of a run's log, joined. */
  async whole(runId: string, maxBytes: number): Promise<Buffer> {
    return (await this.read(runId, 0, maxBytes)).data;
  }
}

/**
 * Lines of `log` containing `keyword` (compared as bytes, so it works whatever the encoding), decoded
 * for display with U+FFFD for invalid bytes.
 */
export function matchingLines(log: Buffer, keyword: string, max: number): { offset: number; text: string }[] {
  const needle = Buffer.from(keyword, 'utf8');
  const out: { offset: number; text: string }[] = [];
  let from = 0;
  while (out.length < max) {
    const hit = log.indexOf(needle, from);
    if (hit < 0) break;
    const start = log.lastIndexOf(0x0a, hit) + 1;
    let end = log.indexOf(0x0a, hit + needle.length);
    if (end < 0) end = log.length;
    out.push({ offset: start, text: log.subarray(start, Math.min(end, start + 1024)).toString('utf8') });
    from = end + 1;
  }
  return out;
}
