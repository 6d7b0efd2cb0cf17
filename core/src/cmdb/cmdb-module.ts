import type { ModuleFactory } from '../module.js';
import { CmdbHostStore } from './cmdb-host-store.js';
import { cmdbHostRoutes } from './cmdb-host-routes.js';
import { CmdbService } from './cmdb-service.js';
import { groupRoutes } from './group-routes.js';
import { GroupStore } from './group-store.js';
import { TopologyStore } from './topology-store.js';
import { topologyRoutes } from './topology-routes.js';

/** The CMDB domain; registers its {@link CmdbService} as `cmdb` (the job service resolves targets through it). */
export const cmdbModule: ModuleFactory = async (ctx) => {
  const service = new CmdbService(new TopologyStore(ctx.db), new CmdbHostStore(ctx.db), new GroupStore(ctx.db));
  ctx.registry.set('cmdb', service);
  return { name: 'cmdb', routes: [...topologyRoutes(service), ...cmdbHostRoutes(service), ...groupRoutes(service)] };
};

export { CmdbService, parseSelector } from './cmdb-service.js';
export type { CmdbHost, TargetSpec, TopologyNode, HostQuery, DynamicGroup } from './cmdb-model.js';
export { parseLabelSelector, matchesLabels, type LabelRequirement } from './label-selector.js';
