import { AppError, ConflictError } from '../errors.js';
import type { GraphError } from '../model/index.js';

/** Thrown when a flow graph (saved, imported or snapshotted into a task) breaks a rule; lists every problem. */
export class InvalidFlowError extends AppError {
  readonly status = 422;
  readonly code = 'invalid_flow';
  constructor(readonly errors: GraphError[]) {
    const first = errors[0];
    super(`the flow is invalid: ${first ? `${first.nodeId ?? first.flowId ?? 'graph'}: ${first.message}` : 'unknown problem'}${errors.length > 1 ? ` (and ${errors.length - 1} more)` : ''}`, { errors });
  }
}

/**
 * Thrown when a template save names the version its editor started from (`baseVersion`) and a
 * newer one was saved meanwhile: saving would silently discard that change.
 */
export class TemplateChangedError extends ConflictError {
  constructor(readonly templateId: string, readonly baseVersion: number, readonly latestVersion: number, readonly savedBy: string) {
    super(`template ${templateId} changed since version ${baseVersion}: version ${latestVersion} was saved by ${savedBy}; reload it and apply your changes again`,
      'template_changed', { templateId, baseVersion, latestVersion, savedBy });
  }
}

/** A template that something still uses, by id and name. */
export interface TemplateUser { id: string; name: string }

/**
 * Thrown when deleting a template that periodic tasks run or whose latest version other templates
 * call as a subflow: the next slot would fail and the parents could not be saved. `force` deletes anyway.
 */
export class TemplateInUseError extends ConflictError {
  constructor(readonly templateId: string, readonly periodicTasks: TemplateUser[], readonly parentTemplates: TemplateUser[]) {
    const uses = [
      ...(periodicTasks.length ? [`periodic tasks ${periodicTasks.map((p) => `${p.name} (${p.id})`).join(', ')} run it`] : []),
      ...(parentTemplates.length ? [`templates ${parentTemplates.map((t) => `${t.name} (${t.id})`).join(', ')} use it as a subflow`] : []),
    ];
    super(`template ${templateId} is in use: ${uses.join('; ')}; change those first, or delete with ?force=true`, 'template_in_use', { templateId, periodicTasks, parentTemplates });
  }
}
