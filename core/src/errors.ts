/**
 * The one error base of core. Every error that leaves the API is an AppError: it carries the
 * HTTP status, a stable machine-readable `code`, and a message a person can act on.
 * Anything else that escapes a handler is mapped to a 500 whose message is not shown.
 *
 * @example
 * throw new NotFoundError('project', 'p1'); // 404 {code: 'not_found', detail: 'project p1 does not exist'}
 */
export abstract class AppError extends Error {
  abstract readonly status: number;
  abstract readonly code: string;
  /** Extra fields for the problem document (e.g. the invalid fields). */
  readonly extra: Record<string, unknown>;
  constructor(message: string, extra: Record<string, unknown> = {}) {
    super(message);
    this.name = new.target.name;
    this.extra = extra;
  }
}

/** Thrown when the request body, query or params do not match their schema. */
export class ValidationError extends AppError {
  readonly status = 400;
  readonly code = 'invalid_request';
  constructor(message: string, readonly errors: { path: string; message: string }[] = []) {
    super(message, { errors });
  }
}

/** Thrown when the caller is not authenticated (no, bad or expired credentials). */
export class UnauthenticatedError extends AppError {
  readonly status = 401;
  readonly code = 'unauthenticated';
}

/** Thrown when the caller is authenticated but lacks the role the operation needs. */
export class ForbiddenError extends AppError {
  readonly status = 403;
  readonly code = 'forbidden';
}

/** Thrown when the addressed resource does not exist (or is invisible to the caller). */
export class NotFoundError extends AppError {
  readonly status = 404;
  readonly code = 'not_found';
  constructor(readonly kind: string, readonly id: string) {
    super(`${kind} ${id} does not exist`, { kind, id });
  }
}

/** Thrown when a resource with the same unique key exists already. */
export class ConflictError extends AppError {
  readonly status = 409;
  readonly code: string;
  constructor(message: string, code = 'conflict', extra: Record<string, unknown> = {}) {
    super(message, extra);
    this.code = code;
  }
}

/** Thrown when an operation is not allowed in the current state of its target (e.g. resume a running task). */
export class StateError extends AppError {
  readonly status = 409;
  readonly code: string;
  constructor(message: string, code = 'invalid_state', extra: Record<string, unknown> = {}) {
    super(message, extra);
    this.code = code;
  }
}

/** Thrown when the caller sends too many requests (e.g. repeated failed logins). */
export class TooManyRequestsError extends AppError {
  readonly status = 429;
  readonly code = 'too_many_requests';
}

/** Thrown when a dependency (database, Redis, registry) is unavailable. */
export class UnavailableError extends AppError {
  readonly status = 503;
  readonly code = 'unavailable';
}
