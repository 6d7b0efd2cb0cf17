/**
 * Errors of the API client: a problem document (`application/problem+json`) turned into an
 * error a person can read, keeping the stable `code` and the per-field `errors` for forms.
 */

/** One field or graph problem listed by the server. */
export interface ProblemItem {
  path?: string;
  message: string;
  nodeId?: string;
  flowId?: string;
  rule?: string;
}

/** Thrown by the API client for every non-2xx answer and for network failures. */
export class ApiError extends Error {
  constructor(
    /** HTTP status; 0 when the server could not be reached. */
    readonly status: number,
    /** Stable code from the problem document (`route_not_found`, `graph_invalid`, `network`…). */
    readonly code: string,
    message: string,
    readonly errors: ProblemItem[] = [],
    /** The problem document as sent, for the fields a code adds (`template_in_use` names the users). */
    readonly problem: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** True when the route does not exist on this server (an API not shipped yet). */
  get missingRoute(): boolean {
    return this.status === 404 && this.code === 'route_not_found';
  }
}

/**
 * Builds the error for a failed response body (parsed JSON or text).
 *
 * @example
 * problemToError(422, { code: 'validation', detail: 'invalid body', errors: [{ path: 'name', message: 'required' }] }).message
 * // 'invalid body: name required'
 */
export function problemToError(status: number, body: unknown, fallback = ''): ApiError {
  if (body && typeof body === 'object') {
    const b = body as { code?: unknown; detail?: unknown; title?: unknown; errors?: unknown };
    const code = typeof b.code === 'string' ? b.code : `http_${status}`;
    const errors = Array.isArray(b.errors) ? b.errors.filter(isItem) : [];
    const detail = typeof b.detail === 'string' ? b.detail : typeof b.title === 'string' ? b.title : describeStatus(status);
    const listed = errors.slice(0, 3).map((e) => (e.path ? `${e.path} ${e.message}` : e.message)).join('; ');
    const more = errors.length > 3 ? ` (and ${errors.length - 3} more)` : '';
    return new ApiError(status, code, listed && !detail.includes(listed) ? `${detail}: ${listed}${more}` : detail, errors, body as Record<string, unknown>);
  }
  const text = typeof body === 'string' && body.trim() ? body.trim().slice(0, 200) : fallback || describeStatus(status);
  return new ApiError(status, `http_${status}`, text);
}

function isItem(v: unknown): v is ProblemItem {
  return v !== null && typeof v === 'object' && typeof (v as { message?: unknown }).message === 'string';
}

function describeStatus(status: number): string {
  if (status === 401) return 'you are not signed in (or your session expired); sign in again';
  if (status === 403) return 'you do not have permission for this';
  if (status === 404) return 'not found';
  if (status >= 500) return `the server failed (HTTP ${status}); try again, and report it if it persists`;
  return `request failed (HTTP ${status})`;
}
