import { z } from 'zod';
import { route, type Route } from '../http/route.js';
import { iso, projectParams } from '../http/schemas.js';
import { UploadTooLargeError, type Upload, type UploadService } from './upload-service.js';

const view = (u: Upload) => ({ id: u.id, name: u.name, size: u.size, sha256: u.sha256, createdBy: u.createdBy, createdAt: iso(u.createdAt) });
const params = projectParams.extend({ uploadId: z.string().min(1).max(64) });

/** Uploaded files of a project: the body of the POST is the file's bytes. */
export function uploadRoutes(uploads: UploadService): Route[] {
  return [
    route({
      id: 'upload.create', method: 'post', path: '/api/v1/projects/:projectId/uploads', tag: 'uploads', auth: { project: 'operate' }, raw: true,
      summary: 'Upload a file (the raw request body; ?name= gives its file name) to distribute to hosts', params: projectParams,
      query: z.object({ name: z.string().min(1).max(255) }),
      async handler({ project, caller, query, koa, audit }) {
        const declared = Number(koa.get('content-length') || 0);
        if (declared > uploads.maxBytes) throw new UploadTooLargeError(`the file has ${declared} bytes; at most ${uploads.maxBytes} are accepted`);
        const chunks: Buffer[] = [];
        let size = 0;
        for await (const chunk of koa.req as AsyncIterable<Buffer>) {
          size += chunk.length;
          if (size > uploads.maxBytes) throw new UploadTooLargeError(`the file exceeds ${uploads.maxBytes} bytes`);
          chunks.push(chunk);
        }
        const upload = await uploads.create(project.id, caller.username, query.name, Buffer.concat(chunks));
        audit({ kind: 'upload', id: upload.id, detail: { name: upload.name, size: upload.size, sha256: upload.sha256 } });
        koa.status = 201;
        koa.body = view(upload);
        return undefined;
      },
    }),
    route({
      id: 'upload.list', method: 'get', path: '/api/v1/projects/:projectId/uploads', tag: 'uploads', auth: { project: 'read' }, params: projectParams,
      summary: 'Uploaded files, newest first', async handler({ project }) { return { items: (await uploads.list(project.id)).map(view) }; },
    }),
    route({
      id: 'upload.delete', method: 'delete', path: '/api/v1/projects/:projectId/uploads/:uploadId', tag: 'uploads', auth: { project: 'operate' }, params,
      summary: 'Delete an uploaded file',
      async handler({ project, params: p, audit }) {
        await uploads.delete(project.id, p.uploadId);
        audit({ kind: 'upload', id: p.uploadId });
        return undefined;
      },
    }),
  ];
}
