/** Typed calls of periodic (cron) and clocked (one-off) tasks: `/api/v1/projects/:projectId/periodic-tasks`. */
import type { JsonValue } from '@opsloom/core/model';
import { api, type ApiClient } from './client.js';

/** A periodic or clocked task. */
export interface PeriodicTask {
  id: string;
  name: string;
  kind: 'periodic' | 'clocked';
  templateId: string;
  templateVersion: number | null;
  variables: Record<string, JsonValue>;
  cron: string | null;
  timeZone: string | null;
  runAt: string | null;
  enabled: boolean;
  nextRunAt: string | null;
  lastRunAt: string | null;
  totalRuns: number;
  createdBy: string;
  createdAt: string;
  /** Only from `GET …/:id`: the next run times computed by the server. */
  upcoming?: (string | null)[];
}

/** One slot of a periodic task's history. */
export interface PeriodicRun {
  slotAt: string;
  firedAt: string | null;
  taskId?: string | null;
  outcome?: string;
  error?: string | null;
  [key: string]: unknown;
}

/** The body of a create. */
export interface PeriodicInput {
  name: string;
  templateId: string;
  version?: number;
  variables?: Record<string, JsonValue>;
  cron?: string;
  timeZone?: string;
  runAt?: string;
  enabled?: boolean;
}

const p = (project: string, rest = ''): string => `/api/v1/projects/${encodeURIComponent(project)}/periodic-tasks${rest}`;

/** Periodic-task calls, bound to one client. */
export function periodicEndpoints(client: ApiClient = api) {
  return {
    list: (project: string) => client.get<{ items: PeriodicTask[] }>(p(project)),
    get: (project: string, id: string) => client.get<PeriodicTask>(p(project, `/${encodeURIComponent(id)}`)),
    create: (project: string, body: PeriodicInput) => client.post<PeriodicTask>(p(project), body),
    update: (project: string, id: string, body: Partial<PeriodicInput>) => client.patch<PeriodicTask>(p(project, `/${encodeURIComponent(id)}`), body),
    remove: (project: string, id: string) => client.delete(p(project, `/${encodeURIComponent(id)}`)),
    history: (project: string, id: string) => client.get<{ items: PeriodicRun[] }>(p(project, `/${encodeURIComponent(id)}/history`)),
  };
}

/** The page's periodic-task API. */
export const periodicApi = periodicEndpoints();
