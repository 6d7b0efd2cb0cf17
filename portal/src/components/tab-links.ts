/** Sub-navigation of a page as links in the hash (so a tab can be bookmarked and Back works). */
import { html, css } from 'lit';

/** Styles of {@link tabLinks}. */
export const tabStyles = css`
  nav.tabs { display: flex; gap: 4px; flex-wrap: wrap; border-bottom: 1px solid #e2e8f0; margin: 0 0 12px; }
  nav.tabs a { padding: 6px 12px; border-radius: 6px 6px 0 0; text-decoration: none; color: #0f172a; border: 1px solid transparent; border-bottom: 0; }
  nav.tabs a[aria-current='page'] { background: #fff; border-color: #e2e8f0; font-weight: 600; color: #1e3a8a; margin-bottom: -1px; }
  nav.tabs a:hover { background: #f1f5f9; }
`;

/**
 * Renders tab links; `current` is the active tab's key.
 *
 * @example
 * tabLinks('Job sections', [['run', 'Run script'], ['scripts', 'Scripts']], 'run', (k) => routeHash({ page: 'jobs', project, query: { tab: k } }))
 */
export function tabLinks(label: string, tabs: readonly (readonly [string, string])[], current: string, href: (key: string) => string) {
  return html`<nav class="tabs" aria-label=${label}>${tabs.map(([key, text]) => html`<a href=${href(key)} data-tab=${key}
    aria-current=${key === current ? 'page' : 'false'}>${text}</a>`)}</nav>`;
}
