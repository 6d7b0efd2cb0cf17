import { join } from 'node:path';
import type { ModuleFactory } from '../module.js';
import { MAX_TRANSFER_BYTES } from '../host-services/agent-transfer.js';
import { UploadService } from './upload-service.js';
import { uploadRoutes } from './upload-routes.js';

/** Uploaded files; capped at what a transfer through core can carry. Register before the host services. */
export const uploadModule: ModuleFactory = async (ctx) => {
  const service = new UploadService(ctx.db, join(ctx.config.dataDir, 'uploads'), MAX_TRANSFER_BYTES);
  ctx.registry.set('uploads', service);
  return { name: 'uploads', routes: uploadRoutes(service) };
};
