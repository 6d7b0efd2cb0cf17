import { AppError } from '../errors.js';

/** Stable codes of {@link CoordinationError}. */
export type CoordinationErrorCode =
  | 'invalid_coordination_options'
  | 'invalid_queue_name'
  | 'invalid_job'
  | 'queue_closed'
  | 'queue_already_processing'
  | 'invalid_lease'
  | 'coordination_closed';

/**
 * Thrown on misuse of the queue, event bus or lease manager (bad name, bad option, use after
 * close). These are programming or configuration errors, so they surface as 500s.
 */
export class CoordinationError extends AppError {
  readonly status = 500;
  constructor(readonly code: CoordinationErrorCode, message: string) {
    super(message, { code });
  }
}
