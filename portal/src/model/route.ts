/**
 * The portal's routes, kept in the URL hash (`#/p/ops/flows/tpl_1`) so that core can serve one
 * static index.html for every path. Parsing is pure so it can be tested without a browser.
 */

/** The pages of the portal. */
export type PageName = 'signin' | 'projects' | 'flows' | 'flow-editor' | 'tasks' | 'task-new' | 'task' | 'audit' | 'marketplace' | 'plugin'
  | 'jobs' | 'job' | 'periodic' | 'settings' | 'not-found';

/** A parsed route. */
export interface Route {
  page: PageName;
  /** Project id or key. */
  project?: string;
  /** Template id (flow editor; `new` for a new flow), task id, job id or plugin name. */
  id?: string;
  query: Record<string, string>;
}

const SECTIONS: Record<string, PageName> = {
  flows: 'flows', tasks: 'tasks', audit: 'audit', marketplace: 'marketplace', jobs: 'jobs', periodic: 'periodic', settings: 'settings',
};

/**
 * Reads a location hash.
 *
 * @example
 * parseRoute('#/p/ops/tasks/t1') // { page: 'task', project: 'ops', id: 't1', query: {} }
 */
export function parseRoute(hash: string): Route {
  const raw = hash.replace(/^#/, '');
  const [path = '', search = ''] = raw.split('?', 2);
  const query: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(search)) query[k] = v;
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts.length === 0) return { page: 'projects', query };
  if (parts[0] === 'signin') return { page: 'signin', query };
  if (parts[0] === 'projects') return { page: 'projects', query };
  if (parts[0] !== 'p' || !parts[1]) return { page: 'not-found', query };
  const project = parts[1];
  const section = parts[2] ?? 'flows';
  const page = SECTIONS[section];
  if (!page) return { page: 'not-found', project, query };
  const id = parts[3];
  if (!id) return { page, project, query };
  if (page === 'flows') return { page: 'flow-editor', project, id, query };
  if (page === 'tasks') return id === 'new' ? { page: 'task-new', project, query } : { page: 'task', project, id, query };
  if (page === 'marketplace') return { page: 'plugin', project, id, query };
  if (page === 'jobs') return { page: 'job', project, id, query };
  return { page: 'not-found', project, query };
}

/**
 * Builds a hash for a route.
 *
 * @example
 * routeHash({ page: 'flow-editor', project: 'ops', id: 'new', query: {} }) // '#/p/ops/flows/new'
 */
export function routeHash(route: Omit<Route, 'query'> & { query?: Record<string, string> }): string {
  const q = route.query && Object.keys(route.query).length > 0 ? `?${new URLSearchParams(route.query).toString()}` : '';
  const p = route.project ? encodeURIComponent(route.project) : '';
  const id = route.id ? `/${encodeURIComponent(route.id)}` : '';
  switch (route.page) {
    case 'signin': return `#/signin${q}`;
    case 'projects': case 'not-found': return `#/projects${q}`;
    case 'flow-editor': return `#/p/${p}/flows${id || '/new'}${q}`;
    case 'task-new': return `#/p/${p}/tasks/new${q}`;
    case 'task': return `#/p/${p}/tasks${id}${q}`;
    case 'plugin': return `#/p/${p}/marketplace${id}${q}`;
    case 'job': return `#/p/${p}/jobs${id}${q}`;
    default: return `#/p/${p}/${route.page}${q}`;
  }
}
