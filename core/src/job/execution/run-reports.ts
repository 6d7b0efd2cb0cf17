import type { RunResultMessage } from '@opsloom/agent/protocol';
import type { AgentReport, ReportOutcome } from '../gateway/report-writer.js';
import type { JobProgress } from './job-progress.js';
import type { JobStore, RunEnding } from './job-store.js';

/** How an agent's result maps onto a host status. */
export function endingOf(m: RunResultMessage): RunEnding {
  const status = m.failure ? 'failed' : m.timedOut ? 'timeout' : m.cancelled ? 'cancelled' : m.exitCode === 0 ? 'success' : 'failed';
  return {
    status, exitCode: m.exitCode, signal: m.signal, tag: m.tag?.message ?? null, failureCode: m.failure?.code ?? null,
    failureMessage: m.failure?.message ?? null, startedAt: m.startedAt, endedAt: m.endedAt, logBytes: m.logBytes,
    logTruncated: m.logTruncated,
  };
}

/**
 * Stores a batch of agent reports. A report is accepted only for a run that was given to the agent
 * that sent it (an agent cannot report for another host's runs, or invent runs). Output is stored by
 * `(run, offset)` and a result only while the run has none, so a re-sent message changes nothing.
 */
export class RunReports {
  constructor(private readonly jobs: JobStore, private readonly progress: JobProgress) {}

  async store(reports: AgentReport[]): Promise<ReportOutcome> {
    const runs = new Map((await this.jobs.runsByIds([...new Set(reports.map((r) => r.message.runId))])).map((r) => [r.id, r]));
    const refused = new Set<AgentReport>();
    const started: { id: string; at: number }[] = [];
    const results = new Map<string, RunEnding>();
    const logs: { runId: string; offset: number; stream: string; data: Buffer }[] = [];
    for (const report of reports) {
      const m = report.message;
      const run = runs.get(m.runId);
      if (!run || run.agentId !== report.agentId) {
        refused.add(report);
        continue;
      }
      if (m.type === 'output') logs.push({ runId: m.runId, offset: m.offset, stream: m.stream, data: Buffer.from(m.data, 'base64') });
      else if (m.type === 'run-state') {
        if (m.state === 'running') started.push({ id: m.runId, at: m.at });
      } else if (!results.has(m.runId)) results.set(m.runId, endingOf(m));
    }
    const ended = await this.jobs.applyReports(started, [...results].map(([id, ending]) => ({ id, ending })), logs);
    this.progress.soon(ended.map((id) => runs.get(id)!.jobId));
    return { refused };
  }
}
