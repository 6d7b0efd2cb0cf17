import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppError, NotFoundError, ValidationError } from '../errors.js';
import type { Db } from '../store/db.js';
import { newId } from '../store/ids.js';

/** Thrown when an upload is larger than the server accepts. */
export class UploadTooLargeError extends AppError {
  readonly status = 413;
  readonly code = 'payload_too_large';
}

export interface Upload { id: string; projectId: string; name: string; size: number; sha256: string; createdBy: string; createdAt: number }

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- knex rows are untyped records
const toUpload = (r: Record<string, any>): Upload => ({
  id: r.id, projectId: r.project_id, name: r.name, size: Number(r.size), sha256: r.sha256, createdBy: r.created_by, createdAt: Number(r.created_at),
});

/**
 * Files uploaded to a project, kept as opaque bytes under `<data>/uploads/<id>` (never executed,
 * never served back as HTML); the name is only a label and the file name targets receive.
 */
export class UploadService {
  constructor(private readonly db: Db, private readonly dir: string, readonly maxBytes: number) {}

  async create(projectId: string, by: string, name: string, bytes: Buffer): Promise<Upload> {
    const clean = name.trim();
    if (!/^[^/\\\0\n\r]{1,255}$/.test(clean) || clean === '.' || clean === '..') {
      throw new ValidationError('query.name: give a plain file name (no slashes, at most 255 characters)', [{ path: 'query.name', message: 'plain file name' }]);
    }
    if (bytes.length > this.maxBytes) throw new UploadTooLargeError(`the file has ${bytes.length} bytes; at most ${this.maxBytes} are accepted`);
    const upload: Upload = { id: newId(), projectId, name: clean, size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex'), createdBy: by, createdAt: Date.now() };
    mkdirSync(this.dir, { recursive: true });
    writeFileSync(join(this.dir, upload.id), bytes, { mode: 0o600, flag: 'wx' });
    await this.db('uploads').insert({ id: upload.id, project_id: projectId, name: upload.name, size: upload.size, sha256: upload.sha256, created_by: by, created_at: upload.createdAt });
    return upload;
  }

  async get(projectId: string, id: string): Promise<Upload> {
    const r = await this.db('uploads').where({ id, project_id: projectId }).first();
    if (!r) throw new NotFoundError('upload', id);
    return toUpload(r);
  }

  /** The bytes of an upload of the project, checked against the digest taken at upload. */
  async read(projectId: string, id: string): Promise<{ upload: Upload; bytes: Buffer }> {
    const upload = await this.get(projectId, id);
    const bytes = readFileSync(join(this.dir, upload.id));
    if (createHash('sha256').update(bytes).digest('hex') !== upload.sha256) throw new ValidationError(`upload ${id} changed on disk since it was uploaded; upload it again`);
    return { upload, bytes };
  }

  async list(projectId: string): Promise<Upload[]> {
    return (await this.db('uploads').where({ project_id: projectId }).orderBy('created_at', 'desc').limit(500)).map(toUpload);
  }

  async delete(projectId: string, id: string): Promise<void> {
    await this.get(projectId, id);
    await this.db('uploads').where({ id }).delete();
    rmSync(join(this.dir, id), { force: true });
  }
}
