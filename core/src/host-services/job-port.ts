import type { JobService } from '../job/job-module.js';

/** What the agent host services use of the job service. */
export type JobPort = Pick<JobService, 'executeScript' | 'get' | 'hosts' | 'readLog' | 'terminate'>;

/** Plugin-visible job state: rolling pauses count as running (the job has not ended). */
export type PluginJobState = 'running' | 'success' | 'failed' | 'cancelled';

export function pluginJobState(status: string): PluginJobState {
  return status === 'success' || status === 'failed' || status === 'cancelled' ? status : 'running';
}

/** Every host result of a job's current attempt. */
export async function allHostResults(jobs: JobPort, projectId: string, jobId: string) {
  return jobs.hosts(projectId, jobId, { limit: 50_000, offset: 0 });
}
