/**
 * Typed calls of the job APIs (bk-job's script execution): fast execute, job results and logs,
 * the script library, high-risk rules and hits, hosts and agent enrolment tokens, and the CMDB
 * reads the host picker needs. The answers are typed with core's own response shapes
 * (`@opsloom/core/job-api`).
 */
import type {
  CreatedEnrolTokenView, DangerAction, DangerHitDetailView, DangerHitView, DangerMatchView, DangerRuleView, EnrolTokenView, HostResultView, HostRunStatus, HostView,
  JobStatus, JobView, LogSearchView, LogView, RemovedHostView, RollingMode, ScriptDetailView, ScriptLanguage, ScriptListItemView, ScriptVersionView,
} from '@opsloom/core/job-api';
import { api, type ApiClient } from './client.js';

/** The body of `POST /jobs/script`. */
export interface ExecuteScriptBody {
  name?: string;
  hostIds?: string[];
  hosts?: { cloudArea: number; ip: string }[];
  content?: string;
  language?: ScriptLanguage;
  scriptVersionId?: string;
  params?: string;
  paramsSensitive?: boolean;
  runAs?: string;
  timeoutSeconds?: number;
  rolling?: { expression: string; mode: RollingMode };
}

/** A CMDB host (topology and labels). */
export interface CmdbHost {
  id: string;
  cloudArea: number;
  ip: string;
  hostname: string;
  labels: Record<string, string>;
  set: string | null;
  module: string | null;
  agentOnline: boolean;
}

/** The CMDB topology tree. */
export interface Topology {
  sets: { id: string; name: string; modules: { id: string; name: string; hostCount: number }[] }[];
  idleHostCount: number;
}

/** A dynamic group: a saved host query. */
export interface DynamicGroup {
  id: string;
  name: string;
  description: string | null;
}

const seg = encodeURIComponent;
const p = (project: string): string => `/api/v1/projects/${seg(project)}`;

/** Every job-page call, bound to one client. */
export function jobEndpoints(client: ApiClient = api) {
  return {
    execute: (project: string, body: ExecuteScriptBody) => client.post<JobView>(`${p(project)}/jobs/script`, body),
    /** A page of jobs, newest first; the next page is `before` the last job's id. */
    jobs: (project: string, q: { status?: JobStatus | ''; limit?: number; before?: string } = {}) => client.get<{ items: JobView[] }>(`${p(project)}/jobs`, { query: q }),
    job: (project: string, id: string, signal?: AbortSignal) => client.get<JobView>(`${p(project)}/jobs/${seg(id)}`, signal ? { signal } : {}),
    /** A page of a job's host results (core's default page is 1000). */
    hosts: (project: string, id: string, q: { status?: HostRunStatus; tag?: string; limit?: number; offset?: number } = {}) =>
      client.get<{ items: HostResultView[] }>(`${p(project)}/jobs/${seg(id)}/hosts`, { query: q }),
    log: (project: string, id: string, runId: string, offset: number) =>
      client.get<LogView>(`${p(project)}/jobs/${seg(id)}/runs/${seg(runId)}/log`, { query: { offset, encoding: 'base64' } }),
    /** Hosts whose log holds `keyword`, a bounded page at a time: `next` (as `after`) continues a search that stopped early. */
    searchLogs: (project: string, id: string, keyword: string, after?: string) =>
      client.get<LogSearchView>(`${p(project)}/jobs/${seg(id)}/log-search`, { query: { keyword, ...(after ? { after } : {}) } }),
    terminate: (project: string, id: string) => client.post<JobView>(`${p(project)}/jobs/${seg(id)}/terminate`),
    retry: (project: string, id: string, scope: 'failed' | 'all') => client.post<JobView>(`${p(project)}/jobs/${seg(id)}/retry`, { scope }),
    confirm: (project: string, id: string) => client.post<JobView>(`${p(project)}/jobs/${seg(id)}/confirm`),

    inventory: (project: string, q: { search?: string; online?: 'true' | 'false'; limit?: number } = {}) =>
      client.get<{ total: number; items: HostView[] }>(`${p(project)}/hosts`, { query: q }),
    removeHost: (project: string, hostId: string) => client.delete(`${p(project)}/hosts/${seg(hostId)}`),
    /** Hosts removed and kept out until re-admitted (project administrators only). */
    removedHosts: (project: string, q: { search?: string; limit?: number } = {}) =>
      client.get<{ total: number; items: RemovedHostView[] }>(`${p(project)}/removed-hosts`, { query: q }),
    readmitHost: (project: string, hostId: string) => client.post(`${p(project)}/removed-hosts/${seg(hostId)}/readmit`),
    tokens: (project: string) => client.get<{ items: EnrolTokenView[] }>(`${p(project)}/agent-tokens`),
    createToken: (project: string, body: { name: string; expiresInSeconds?: number }) => client.post<CreatedEnrolTokenView>(`${p(project)}/agent-tokens`, body),
    revokeToken: (project: string, id: string) => client.delete(`${p(project)}/agent-tokens/${seg(id)}`),

    topology: (project: string) => client.get<Topology>(`${p(project)}/cmdb/topology`),
    cmdbHosts: (project: string, q: { set?: string; module?: string; limit?: number }) => client.get<{ total: number; items: CmdbHost[] }>(`${p(project)}/cmdb/hosts`, { query: q }),
    groups: (project: string) => client.get<{ items: DynamicGroup[] }>(`${p(project)}/cmdb/groups`),
    groupHosts: (project: string, name: string) => client.get<{ total: number; items: CmdbHost[] }>(`${p(project)}/cmdb/groups/${seg(name)}/hosts`, { query: { limit: 5000 } }),

    scripts: (project: string) => client.get<{ items: ScriptListItemView[] }>(`${p(project)}/scripts`),
    script: (project: string, id: string) => client.get<ScriptDetailView>(`${p(project)}/scripts/${seg(id)}`),
    createScript: (project: string, body: { name: string; language: ScriptLanguage; description?: string; version?: string; content: string }) =>
      client.post<ScriptDetailView>(`${p(project)}/scripts`, body),
    addVersion: (project: string, id: string, body: { version: string; content?: string; fromVersionId?: string }) =>
      client.post<ScriptVersionView>(`${p(project)}/scripts/${seg(id)}/versions`, body),
    updateVersion: (project: string, id: string, versionId: string, body: { content?: string; version?: string }) =>
      client.patch<ScriptVersionView>(`${p(project)}/scripts/${seg(id)}/versions/${seg(versionId)}`, body),
    publish: (project: string, id: string, versionId: string) => client.post<ScriptVersionView>(`${p(project)}/scripts/${seg(id)}/versions/${seg(versionId)}/publish`),
    disable: (project: string, id: string, versionId: string) => client.post<ScriptVersionView>(`${p(project)}/scripts/${seg(id)}/versions/${seg(versionId)}/disable`),

    rules: () => client.get<{ items: DangerRuleView[] }>('/api/v1/danger-rules'),
    createRule: (body: { expression: string; languages: ScriptLanguage[]; description: string; action: DangerAction; enabled?: boolean }) =>
      client.post<DangerRuleView>('/api/v1/danger-rules', body),
    updateRule: (id: string, body: Partial<Pick<DangerRuleView, 'enabled' | 'action' | 'description'>>) => client.patch<DangerRuleView>(`/api/v1/danger-rules/${seg(id)}`, body),
    deleteRule: (id: string) => client.delete(`/api/v1/danger-rules/${seg(id)}`),
    checkScript: (language: ScriptLanguage, content: string) => client.post<{ items: DangerMatchView[] }>('/api/v1/danger-rules/check', { language, content }),
    /** A page of the project's hits, newest first; `before` a hit id for older ones. */
    hits: (project: string, q: { limit?: number; before?: number } = {}) => client.get<{ items: DangerHitView[] }>(`${p(project)}/danger-hits`, { query: q }),
    hit: (project: string, id: number) => client.get<DangerHitDetailView>(`${p(project)}/danger-hits/${id}`),
  };
}

/** The page's job API. */
export const jobApi = jobEndpoints();
