/** Typed calls of a project's constants (`${_env_KEY}` in flows): `/api/v1/projects/:projectId/constants`. */
import { api, type ApiClient } from './client.js';

/** A project constant. */
export interface ProjectConstant {
  key: string;
  value: string;
  description: string | null;
}

/** A template whose latest version reads a constant, as a deletion names it. */
export interface ConstantReader {
  templateId: string;
  name: string;
}

const p = (project: string, key?: string): string =>
  `/api/v1/projects/${encodeURIComponent(project)}/constants${key === undefined ? '' : `/${encodeURIComponent(key)}`}`;

/** Constant calls, bound to one client. */
export function constantEndpoints(client: ApiClient = api) {
  return {
    list: (project: string) => client.get<{ items: ProjectConstant[] }>(p(project)),
    /** Creates or replaces a constant (a missing description clears it). */
    set: (project: string, key: string, body: { value: string; description?: string | null }) => client.put<ProjectConstant>(p(project, key), body),
    /** Deletes a constant; the answer names the templates that still read it. */
    remove: (project: string, key: string) => client.delete<{ key: string; usedBy: ConstantReader[] }>(p(project, key)),
  };
}

/** The page's constant API. */
export const constantApi = constantEndpoints();
