import type { LabelRequirement } from './label-selector.js';

/** A node of the topology a query or a job targets: a whole set, a module of a set, or every module of that name. */
export interface TopologyNode {
  set?: string;
  module?: string;
}

/** A set (bk-cmdb's 集群) of a project. */
export interface CmdbSet {
  id: string;
  projectId: string;
  name: string;
  description: string | null;
  createdAt: number;
  updatedAt: number;
}

/** A module (bk-cmdb's 模块) of a set. */
export interface CmdbModule extends CmdbSet {
  setId: string;
}

/** A host as the CMDB shows it: identity and agent state from the job service's inventory, plus topology and labels. */
export interface CmdbHost {
  id: string;
  cloudArea: number;
  ip: string;
  hostname: string;
  os: string;
  labels: Record<string, string>;
  set: string | null;
  module: string | null;
  agentOnline: boolean;
}

/**
 * A host query; every given criterion must hold. `topology` matches a host in any of the nodes;
 * `selector` is parsed label requirements.
 */
export interface HostQuery {
  topology?: TopologyNode[];
  selector?: LabelRequirement[];
  cloudArea?: number;
  ips?: string[];
  hostIds?: string[];
}

/** A saved query as a dynamic group stores it (the selector as text). */
export interface GroupQuery {
  topology?: TopologyNode[];
  selector?: string;
  cloudArea?: number;
  ips?: string[];
}

/** A dynamic group: a named, saved host query of a project, resolved each time it is used. */
export interface DynamicGroup {
  id: string;
  projectId: string;
  name: string;
  description: string | null;
  query: GroupQuery;
  createdBy: string;
  createdAt: number;
  updatedBy: string;
  updatedAt: number;
}

/** What the job service (and the plugin host API) may target, resolved to host ids at run time. */
export interface TargetSpec {
  /** Hosts in any of these topology nodes. */
  topology?: TopologyNode[];
  /** Hosts of these dynamic groups (by name). */
  group?: string | string[];
  /** Hosts matching this selector (`env=prod,role in (web,api)`) or having all these labels. */
  labels?: string | Record<string, string>;
}
