import type { ModuleFactory } from '../module.js';
import { ExpressionSandbox } from './expression/index.js';
import { FlowEngine } from './engine/engine.js';
import { Sweeper } from './engine/sweeper.js';
import type { PluginGateway } from './plugin-catalog.js';
import { TemplateStore } from './template/template-store.js';
import { TemplateService } from './template/template-service.js';
import { templateRoutes } from './template/template-routes.js';
import { TaskStore } from './task/task-store.js';
import { TaskFactory } from './task/task-factory.js';
import { TaskService } from './task/task-service.js';
import { nodeRoutes, taskRoutes } from './task/task-routes.js';
import { taskEventsRoute } from './task/task-events-route.js';

/** The flow domain: templates, tasks and the durable engine that runs them. Needs the plugins module. */
export const flowModule: ModuleFactory = async (ctx) => {
  const plugins = ctx.registry.get('plugins') as PluginGateway | undefined;
  if (!plugins) throw new Error('the flow module needs the plugins module to be registered first');
  const store = new TaskStore(ctx.db);
  const templateStore = new TemplateStore(ctx.db);
  // A generous wall-clock budget: a loaded machine must not fail honest expressions; loops still stop.
  const sandbox = new ExpressionSandbox({ timeoutMs: 1000 });
  const templates = new TemplateService(templateStore, plugins, (projectId) => ctx.constants.keys(projectId), sandbox);
  const factory = new TaskFactory(store, templateStore, plugins);
  const runsWorker = ctx.config.roles.has('worker');
  const engine = new FlowEngine({
    store, coordination: ctx.coordination, plugins, sandbox, log: ctx.log, subflows: factory,
    project: async (id) => ctx.projects.get(id), constants: (id) => ctx.constants.values(id),
  }, { concurrency: 32, leaseMs: ctx.config.stepLeaseMs, maxLoops: 100, publicUrl: ctx.config.publicUrl ?? `http://${ctx.config.host}:${ctx.config.port}` });
  const tasks = new TaskService(store, factory, templates, engine);
  const sweeper = new Sweeper(engine, store, ctx.coordination, ctx.log);
  ctx.registry.set('flow', { templates, tasks, engine, sweeper });
  return {
    name: 'flow',
    routes: [...templateRoutes(templates), ...taskRoutes(tasks), ...nodeRoutes(tasks), taskEventsRoute(tasks, ctx.coordination)],
    async start() {
      if (!runsWorker) return;
      await engine.start();
      await sweeper.sweep();
      sweeper.start();
    },
    async close() {
      await sweeper.close();
      await engine.close();
      sandbox.close();
    },
  };
};
