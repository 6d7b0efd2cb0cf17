/**
 * The portal's HTTP client: same-origin fetch with the session cookie (no token is ever stored
 * in the page), JSON in and out, and problem documents turned into {@link ApiError}s.
 */
import { ApiError, problemToError } from '../model/problem.js';

/** Options of one request. */
export interface RequestOptions {
  signal?: AbortSignal;
  query?: Record<string, string | number | undefined | null>;
}

/**
 * A small JSON client bound to a base URL (empty: the page's own origin).
 *
 * @example
 * const api = new ApiClient();
 * const { items } = await api.get<{ items: Project[] }>('/api/v1/projects');
 */
export class ApiClient {
  /** Called once for every 401, so the shell can send the user to the sign-in page. */
  onUnauthorized?: (error: ApiError) => void;

  constructor(readonly baseUrl = '') {}

  get<T>(path: string, o?: RequestOptions): Promise<T> {
    return this.request<T>('GET', path, undefined, o);
  }

  post<T>(path: string, body?: unknown, o?: RequestOptions): Promise<T> {
    return this.request<T>('POST', path, body ?? {}, o);
  }

  put<T>(path: string, body: unknown, o?: RequestOptions): Promise<T> {
    return this.request<T>('PUT', path, body, o);
  }

  patch<T>(path: string, body: unknown, o?: RequestOptions): Promise<T> {
    return this.request<T>('PATCH', path, body, o);
  }

  delete<T = void>(path: string, o?: RequestOptions): Promise<T> {
    return this.request<T>('DELETE', path, undefined, o);
  }

  /** The absolute URL of an API path (for EventSource and download links). */
  url(path: string, query?: RequestOptions['query']): string {
    const q = query ? Object.entries(query).filter(([, v]) => v !== undefined && v !== null && v !== '') : [];
    const search = q.length ? `?${new URLSearchParams(q.map(([k, v]) => [k, String(v)])).toString()}` : '';
    return `${this.baseUrl}${path}${search}`;
  }

  /** Sends one request; resolves with the parsed JSON body (undefined for 204). */
  async request<T>(method: string, path: string, body?: unknown, o: RequestOptions = {}): Promise<T> {
    let res: Response;
    try {
      res = await fetch(this.url(path, o.query), {
        method,
        credentials: 'same-origin',
        headers: { accept: 'application/json', ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        ...(o.signal ? { signal: o.signal } : {}),
      });
    } catch (err) {
      if ((err as Error).name === 'AbortError') throw err;
      throw new ApiError(0, 'network', 'the server could not be reached; check your connection and try again');
    }
    const text = await res.text();
    let parsed: unknown = undefined;
    if (text) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = text;
      }
    }
    if (!res.ok) {
      const error = problemToError(res.status, parsed);
      if (res.status === 401) this.onUnauthorized?.(error);
      throw error;
    }
    return parsed as T;
  }
}

/** The one client of the page. */
export const api = new ApiClient();
