/** Renders an API error, with a clear note when the route does not exist on this server yet. */
import { html } from 'lit';
import { ApiError } from '../model/problem.js';

/** A notice for a failed load; `what` names the API (e.g. "templates API"). */
export function apiErrorNotice(error: Error, what: string) {
  if (error instanceof ApiError && error.missingRoute) {
    return html`<p class="notice warn" role="status">This server does not offer the ${what} yet (${error.message}).
      The page will work once it does; nothing is shown in the meantime.</p>`;
  }
  return html`<p class="notice error" role="alert">${error.message}</p>`;
}
