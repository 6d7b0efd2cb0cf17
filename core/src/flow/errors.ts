import { AppError } from '../errors.js';
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
