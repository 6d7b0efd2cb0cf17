import type { Logger } from 'pino';
import type { CmdbService } from '../cmdb/cmdb-service.js';
import { NotFoundError } from '../errors.js';
import type { TemplateService } from '../flow/template/template-service.js';
import type { TemplateStore } from '../flow/template/template-store.js';
import type { Caller } from '../http/route.js';
import type { ProjectService } from '../project/project-service.js';
import { RELEASE_TEMPLATE_NAME, releaseTemplate } from './release-template.js';

/** Key of the demo project. */
export const DEMO_PROJECT_KEY = 'demo';
/** CMDB set and module the local host is placed in. */
export const DEMO_SET = 'web';
export const DEMO_MODULE = 'app';

/** Creates the demo project once; returns its id. */
export async function ensureDemoProject(projects: ProjectService, admin: Caller, log: Logger): Promise<string> {
  try {
    return (await projects.scope(admin, DEMO_PROJECT_KEY)).id;
  } catch (err) {
    if (!(err instanceof NotFoundError)) throw err;
  }
  const p = await projects.create(admin, { key: DEMO_PROJECT_KEY, name: 'Demo', description: 'Created at first start: the local host in web/app and the "Release a service" template.' });
  log.info({ project: p.key }, 'bootstrap: demo project created');
  return p.id;
}

/** Creates the set `web` and its module `app` when missing; returns the module id. */
export async function ensureDemoTopology(cmdb: CmdbService, projectId: string): Promise<string> {
  const tree = await cmdb.tree(projectId);
  const set = tree.sets.find((s) => s.name === DEMO_SET) ?? (await cmdb.createSet(projectId, { name: DEMO_SET, description: 'Demo web tier' }));
  const existing = tree.sets.find((s) => s.id === set.id)?.modules.find((m) => m.name === DEMO_MODULE);
  return existing?.id ?? (await cmdb.createModule(projectId, set.id, { name: DEMO_MODULE, description: 'Demo service hosts' })).id;
}

/** Places the host at `ip` (cloud area 0) in the demo module when it is still idle (not placed by someone). */
export async function placeLocalHost(cmdb: CmdbService, projectId: string, moduleId: string, ip: string): Promise<boolean> {
  const host = (await cmdb.findHosts(projectId, { ips: [ip], cloudArea: 0 }))[0];
  if (!host || host.module !== null) return false;
  await cmdb.placeHosts(projectId, [host.id], moduleId);
  return true;
}

/** Creates the "Release a service" template unless a template of that name exists. */
export async function ensureReleaseTemplate(deps: { templates: TemplateService; store: TemplateStore }, projectId: string, by: string, log: Logger): Promise<string> {
  const same = (await deps.store.list(projectId, { search: RELEASE_TEMPLATE_NAME, limit: 50, offset: 0 })).find((t) => t.name === RELEASE_TEMPLATE_NAME);
  if (same) return same.id;
  const graph = releaseTemplate();
  const t = await deps.templates.create(projectId, by, { name: graph.name, description: 'Demo: health check, notify, approve, then deploy or report failure.', graph, comment: 'created at first start' });
  log.info({ template: t.id }, 'bootstrap: demo template created');
  return t.id;
}
