/**
 * Typed calls of the Opsloom REST API used by the pages. Shapes follow the server's routes;
 * project-scoped calls take the project id or key.
 */
import type { FlowGraph, JsonValue } from '@opsloom/core/model';
import type { GraphError } from '@opsloom/core/model';
import type { PluginSummary } from '../model/node-kinds.js';
import type { LogLine, NodeDetail, Task, TaskState, TaskVariables } from '../model/task-types.js';
import { api, type ApiClient } from './client.js';

/** A signed-in user (`GET /api/v1/auth/me`). */
export interface User {
  id: string;
  username: string;
  displayName?: string | null;
  isAdmin: boolean;
}

/** A project as listed for the caller. */
export interface Project {
  id: string;
  key: string;
  name: string;
  description?: string | null;
  role?: string;
  /** IANA time zone periodic tasks of the project default to. */
  timeZone?: string;
}

/** A template in the list. */
export interface TemplateSummary {
  id: string;
  name: string;
  description?: string | null;
  latestVersion: number;
  updatedAt?: string;
  updatedBy?: string;
}

/** A template with its latest graph. */
export interface Template extends TemplateSummary {
  graph: FlowGraph;
  versions?: number;
}

/** One saved version of a template. */
export interface TemplateVersion {
  version: number;
  createdAt: string;
  createdBy?: string;
  comment?: string | null;
  graph?: FlowGraph;
}

/** One line of the audit log. */
export interface AuditRecord {
  id: number;
  at: string;
  actorName: string | null;
  action: string;
  targetKind: string | null;
  targetId: string | null;
  projectId: string | null;
  ip: string | null;
  status: number | null;
  detail: Record<string, unknown> | null;
}

const p = (project: string): string => `/api/v1/projects/${encodeURIComponent(project)}`;
const seg = encodeURIComponent;

/** The most templates core lists in one page. */
const TEMPLATE_PAGE_MAX = 500;

/** Every API call of the portal, bound to one client. */
export function endpoints(client: ApiClient = api) {
  /** A page of templates, most recently changed first (core's default page is 100). */
  const templates = (project: string, q: { limit?: number; offset?: number } = {}) => client.get<{ items: TemplateSummary[] }>(`${p(project)}/templates`, { query: q });
  return {
    login: (username: string, password: string) => client.post<{ user: User }>('/api/v1/auth/login', { username, password }),
    logout: () => client.post<void>('/api/v1/auth/logout'),
    me: () => client.get<User>('/api/v1/auth/me'),

    projects: () => client.get<{ items: Project[] }>('/api/v1/projects'),
    createProject: (body: { key: string; name: string; description?: string }) => client.post<Project>('/api/v1/projects', body),

    plugins: (signal?: AbortSignal) => client.get<{ items: PluginSummary[] }>('/api/v1/plugins', { query: { status: 'online' }, ...(signal ? { signal } : {}) }),

    templates,
    /** Every template of the project, for choosing one: read page after page until a page is not full. */
    allTemplates: async (project: string): Promise<{ items: TemplateSummary[] }> => {
      const items: TemplateSummary[] = [];
      for (;;) {
        const page = await templates(project, { limit: TEMPLATE_PAGE_MAX, offset: items.length });
        items.push(...page.items);
        if (page.items.length < TEMPLATE_PAGE_MAX) return { items };
      }
    },
    template: (project: string, id: string) => client.get<Template>(`${p(project)}/templates/${seg(id)}`),
    createTemplate: (project: string, body: { name: string; description?: string; graph: FlowGraph }) => client.post<Template>(`${p(project)}/templates`, body),
    /** `baseVersion`: the version the editor started from; a newer one saved meanwhile is a 409 `template_changed`. */
    saveTemplate: (project: string, id: string, body: { graph: FlowGraph; name?: string; comment?: string; baseVersion?: number }) => client.put<Template>(`${p(project)}/templates/${seg(id)}`, body),
    /** Without `force`, a template periodic tasks run or other flows call as a subflow is a 409 `template_in_use`. */
    deleteTemplate: (project: string, id: string, force = false) => client.delete(`${p(project)}/templates/${seg(id)}`, force ? { query: { force: 'true' } } : {}),
    versions: (project: string, id: string) => client.get<{ items: TemplateVersion[] }>(`${p(project)}/templates/${seg(id)}/versions`),
    version: (project: string, id: string, version: number) => client.get<TemplateVersion & { graph: FlowGraph }>(`${p(project)}/templates/${seg(id)}/versions/${version}`),
    validate: (project: string, graph: FlowGraph) => client.post<{ ok: boolean; errors: GraphError[] }>(`${p(project)}/templates/validate`, { graph }),
    exportUrl: (project: string, id: string) => client.url(`${p(project)}/templates/${seg(id)}/export`),
    importTemplate: (project: string, doc: unknown) => client.post<Template>(`${p(project)}/templates/import`, doc),

    /** A page of tasks, newest first; `next` is the `before` of the following page (null on the last). */
    tasks: (project: string, q: { state?: TaskState | ''; templateId?: string; limit?: number; before?: string } = {}) =>
      client.get<{ items: Task[]; next: string | null }>(`${p(project)}/tasks`, { query: q }),
    task: (project: string, id: string) => client.get<Task>(`${p(project)}/tasks/${seg(id)}`),
    /** A task without its graph: its state and its nodes' states. */
    taskStatus: (project: string, id: string, signal?: AbortSignal) =>
      client.get<Omit<Task, 'graph'>>(`${p(project)}/tasks/${seg(id)}`, { query: { graph: 'false' }, ...(signal ? { signal } : {}) }),
    createTask: (project: string, body: { templateId: string; version?: number; name?: string; variables?: Record<string, JsonValue>; excludeNodes?: string[] }) =>
      client.post<Task>(`${p(project)}/tasks`, body),
    taskAction: (project: string, id: string, op: string) => client.post<Task>(`${p(project)}/tasks/${seg(id)}/${op}`),
    /** The task's variables as they are now and its results (the flow's declared outputs); passwords come masked. */
    taskVariables: (project: string, id: string, signal?: AbortSignal) =>
      client.get<TaskVariables>(`${p(project)}/tasks/${seg(id)}/variables`, signal ? { signal } : {}),
    node: (project: string, id: string, nodeId: string) => client.get<NodeDetail>(`${p(project)}/tasks/${seg(id)}/nodes/${seg(nodeId)}`),
    nodeLogs: (project: string, id: string, nodeId: string, q: { before?: number; after?: number; limit?: number }) =>
      client.get<{ items: LogLine[]; more: boolean }>(`${p(project)}/tasks/${seg(id)}/nodes/${seg(nodeId)}/logs`, { query: q }),
    nodeAction: (project: string, id: string, nodeId: string, op: string, body?: unknown) =>
      client.post<unknown>(`${p(project)}/tasks/${seg(id)}/nodes/${seg(nodeId)}/${op}`, body),
    taskEventsUrl: (project: string, id: string) => client.url(`${p(project)}/tasks/${seg(id)}/events`),

    audit: (project: string | undefined, q: { actor?: string; action?: string; before?: number; limit?: number }) =>
      client.get<{ items: AuditRecord[]; next: number | null }>(project ? `${p(project)}/audit` : '/api/v1/audit', { query: q }),
  };
}

/** The portal's API, bound to the page's client. */
export const portalApi = endpoints();
