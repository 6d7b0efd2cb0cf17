import type { ModuleFactory } from '../module.js';
import type { TaskService } from '../flow/task/task-service.js';
import type { TemplateService } from '../flow/template/template-service.js';
import { PeriodicService } from './periodic-service.js';
import { periodicRoutes } from './periodic-routes.js';

/** Periodic and clocked tasks; processes with the `scheduler` role fire them. Needs the flow module. */
export const cronModule: ModuleFactory = async (ctx) => {
  const flow = ctx.registry.get('flow') as { tasks: TaskService; templates: TemplateService } | undefined;
  if (!flow) throw new Error('the cron module needs the flow module to be registered first');
  const service = new PeriodicService(ctx.db, flow.tasks, {
    timeZone: async (id) => (await ctx.projects.get(id)).timeZone,
    refusal: (projectId, username) => ctx.projects.refusal(projectId, username, 'operate'),
  }, ctx.log);
  ctx.registry.set('periodic', service);
  // A template that periodic tasks run is not deleted from under them without force.
  flow.templates.usedByPeriodicTasks((projectId, templateId) => service.usingTemplate(projectId, templateId));
  let timer: NodeJS.Timeout | undefined;
  let ticking: Promise<unknown> | undefined;
  return {
    name: 'cron',
    routes: periodicRoutes(service),
    async start() {
      if (!ctx.config.roles.has('scheduler')) return;
      timer = setInterval(() => {
        ticking ??= service.tick().catch((err) => ctx.log.warn({ err }, 'scheduler pass failed')).finally(() => { ticking = undefined; });
      }, 1000);
      timer.unref();
    },
    async close() {
      if (timer) clearInterval(timer);
      await ticking;
    },
  };
};
