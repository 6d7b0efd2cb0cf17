import type { Db } from '../store/db.js';
import { whereLike } from '../store/like.js';

/** One line of the audit log: who did what, to what, when, from where, and how it ended. */
export interface AuditEntry {
  at: number;
  actorId: string | null;
  actorName: string | null;
  tokenId: string | null;
  /** The route id or domain event, e.g. `project.create`, `auth.login.failed`. */
  action: string;
  targetKind: string | null;
  targetId: string | null;
  projectId: string | null;
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
  /** HTTP status the operation ended with. */
  status: number | null;
  detail: Record<string, unknown> | null;
}

export interface AuditRecord extends AuditEntry { id: number }

export interface AuditQuery {
  projectId?: string;
  actor?: string;
  action?: string;
  since?: number;
  until?: number;
  /** Return entries older than this id (pagination cursor). */
  before?: number;
  limit: number;
}

const TABLE = 'audit_log';

interface Row {
  id: number; at: number; actor_id: string | null; actor_name: string | null; token_id: string | null; action: string;
  target_kind: string | null; target_id: string | null; project_id: string | null; ip: string | null;
  user_agent: string | null; request_id: string | null; status: number | null; detail: string | null;
}

const toRecord = (r: Row): AuditRecord => ({
  id: Number(r.id), at: Number(r.at), actorId: r.actor_id, actorName: r.actor_name, tokenId: r.token_id,
  action: r.action, targetKind: r.target_kind, targetId: r.target_id, projectId: r.project_id, ip: r.ip,
  userAgent: r.user_agent, requestId: r.request_id, status: r.status, detail: r.detail ? JSON.parse(r.detail) : null,
});

/** Bytes of detail an entry keeps: its column holds 64 KiB on MySQL. */
const DETAIL_BYTES = 60 * 1024;

/**
 * An entry's detail as stored; one too large for the column keeps its size and field names only,
 * since the entry is written after the audited change was made and must not fail it.
 */
function detailText(detail: Record<string, unknown>): string {
  const text = JSON.stringify(detail);
  const bytes = Buffer.byteLength(text);
  return bytes <= DETAIL_BYTES ? text : JSON.stringify({ omitted: true, bytes, fields: Object.keys(detail) });
}

/** The audit log's table. Append-only: nothing here updates or deletes. */
export class AuditStore {
  constructor(private readonly db: Db) {}

  async record(e: AuditEntry): Promise<void> {
    await this.db(TABLE).insert({
      at: e.at, actor_id: e.actorId, actor_name: e.actorName, token_id: e.tokenId, action: e.action.slice(0, 96),
      target_kind: e.targetKind, target_id: e.targetId?.slice(0, 128) ?? null, project_id: e.projectId, ip: e.ip,
      user_agent: e.userAgent, request_id: e.requestId, status: e.status,
      detail: e.detail ? detailText(e.detail) : null,
    });
  }

  /** Newest first. */
  async query(q: AuditQuery): Promise<AuditRecord[]> {
    const sql = this.db<Row>(TABLE).orderBy('id', 'desc').limit(q.limit);
    if (q.projectId) sql.where('project_id', q.projectId);
    if (q.actor) sql.where((w) => w.where('actor_name', q.actor!).orWhere('actor_id', q.actor!));
    if (q.action) whereLike(sql, ['action'], q.action, 'starts');
    if (q.since !== undefined) sql.where('at', '>=', q.since);
    if (q.until !== undefined) sql.where('at', '<', q.until);
    if (q.before !== undefined) sql.where('id', '<', q.before);
    return (await sql).map(toRecord);
  }
}
