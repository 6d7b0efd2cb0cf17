/**
 * `@opsloom/core/job-api`: what the job API (bk-job's script execution) sends over HTTP. It covers
 * jobs with their host results and logs, the hosts inventory and agent enrolment tokens, the script
 * library, and the high-risk command rules with their hits. Times are ISO-8601 strings.
 *
 * The routes type their views with these declarations, and the portal imports the same ones, so the
 * two cannot drift apart. Type-only and dependency-free: the one import is the agent protocol's types
 * (itself a dependency-free subpath), so the browser bundle can import this file.
 *
 * @example
 * import type { JobView } from '@opsloom/core/job-api';
 * const job = await api.get<JobView>(`/api/v1/projects/${project}/jobs/${jobId}`);
 */
import type { HostFacts, ScriptLanguage } from '@opsloom/agent/protocol';

export type { HostFacts, ScriptLanguage };

// ---------------------------------------------------------------- statuses and kinds

/** Per-host status (bk-job's execute-object statuses, reduced to the ones a user acts on). */
export type HostRunStatus = 'waiting' | 'running' | 'success' | 'failed' | 'timeout' | 'agent_offline' | 'not_allowed' | 'cancelled';

/**
 * A job's status: `running` until every host has ended; a rolling job may wait between batches in
 * `paused` (a batch had failures, mode pause-on-failure) or `confirming` (mode confirm).
 */
export type JobStatus = 'running' | 'paused' | 'confirming' | 'success' | 'failed' | 'cancelled';

/** How a rolling job moves from one batch to the next (bk-job's rolling modes 1–3). */
export type RollingMode = 'pause-on-failure' | 'continue' | 'confirm';

/** Where a run came from, recorded on the job and with every rule hit (bk-job's startup mode). */
export type RunOrigin = 'api' | 'flow' | 'plan' | 'cron';

/** What a rule does when a script line matches: record it and let the run go, or refuse the run. */
export type DangerAction = 'scan' | 'intercept';

/** Lifecycle of a script version (bk-job's resource status). */
export type ScriptVersionStatus = 'draft' | 'online' | 'offline' | 'disabled';

// ---------------------------------------------------------------- jobs

/** Hosts that ended alike: same status and result tag (bk-job's result groups). */
export interface ResultGroup {
  status: HostRunStatus;
  tag: string | null;
  count: number;
}

/**
 * A job, with sensitive parameters masked: `GET /projects/:projectId/jobs/:jobId`, and the answer of
 * `POST …/jobs/script`, `…/terminate`, `…/retry` and `…/confirm`. The plugin host API returns it too.
 */
export interface JobView {
  id: string;
  projectId: string;
  name: string;
  origin: RunOrigin;
  status: JobStatus;
  /** True once every host has ended (success, failed or cancelled). */
  finished: boolean;
  /** The name of the user who started the job. */
  createdBy: string | null;
  language: ScriptLanguage;
  script: string;
  scriptId: string | null;
  scriptVersionId: string | null;
  /** The parameters; `******` when they are sensitive (empty when there are none). */
  params: string;
  paramsSensitive: boolean;
  runAs: string | null;
  timeoutSeconds: number;
  rolling: { expression: string; mode: RollingMode; currentBatch: number; batchCount: number } | null;
  hostCount: number;
  /** Hosts per status. */
  counts: Partial<Record<HostRunStatus, number>>;
  /** Hosts grouped by status and result tag (bk-job's result groups). */
  groups: ResultGroup[];
  createdAt: string;
  endedAt: string | null;
}

/** One host's result (`GET /projects/:projectId/jobs/:jobId/hosts`): its current attempt. */
export interface HostResultView {
  /** The run id: names this attempt's log. */
  runId: string;
  hostId: string | null;
  cloudArea: number;
  ip: string;
  batch: number;
  attempt: number;
  status: HostRunStatus;
  exitCode: number | null;
  signal: string | null;
  tag: string | null;
  failure: { code: string; message: string | null } | null;
  startedAt: string | null;
  endedAt: string | null;
  logBytes: number | null;
  /** The agent kept only the first `logBytes` of the output (its log size limit); the rest was dropped. */
  logTruncated: boolean;
}

/** A page of one run's log by byte offset (`GET /projects/:projectId/jobs/:jobId/runs/:runId/log`). */
export interface LogView {
  runId: string;
  offset: number;
  /** Offset to ask for next; equals `offset` when nothing more is stored yet. */
  nextOffset: number;
  /** Bytes stored for the run so far. */
  storedBytes: number;
  /** True once the run ended and everything the agent kept is stored: nothing more will come. */
  complete: boolean;
  /**
   * The agent cut this log at its size limit: output after what is stored was dropped, even when
   * `complete`. Always sent; optional for clients built against the earlier shape.
   */
  truncated?: boolean;
  /** `base64`: the exact bytes; `text`: decoded, invalid UTF-8 replaced by U+FFFD. */
  encoding: 'base64' | 'text';
  data: string;
}

/** One host whose log contains the keyword (`GET /projects/:projectId/jobs/:jobId/log-search`). */
export interface LogSearchHitView {
  runId: string;
  hostId: string | null;
  cloudArea: number;
  ip: string;
  /** The matching lines, each with the byte offset where it starts in the log. */
  lines: { offset: number; text: string }[];
}

/** A page of log search results: hits, and where to continue when the search stopped early. */
export interface LogSearchView {
  items: LogSearchHitView[];
  /** Log bytes read to answer this page. */
  scannedBytes: number;
  /** Set when the search stopped before the last host (its byte, host or hit bound): ask again with `after=<next>`. */
  next: string | null;
}

// ---------------------------------------------------------------- hosts and agents

/** A host of a project's inventory (`GET /projects/:projectId/hosts`), without its agent's secrets. */
export interface HostView {
  id: string;
  projectId: string;
  cloudArea: number;
  ip: string;
  hostname: string;
  /** What the agent reported when it last connected (or enrolled). */
  facts: HostFacts;
  agentId: string;
  online: boolean;
  lastSeenAt: string | null;
  createdAt: string;
  updatedAt: string;
}

/**
 * A host an administrator removed (`GET /projects/:projectId/removed-hosts`). Until it is re-admitted,
 * its agent is refused with `AGENT_REMOVED`, and so is any enrolment of its `(cloudArea, ip)` with any
 * enrolment token of the project.
 */
export interface RemovedHostView {
  /** The id the host had; re-admit it with `POST /projects/:projectId/removed-hosts/:id/readmit`. */
  id: string;
  projectId: string;
  cloudArea: number;
  ip: string;
  hostname: string;
  /** The agent that held the host when it was removed. */
  agentId: string;
  /** User name of the administrator who removed it. */
  removedBy: string;
  removedAt: string;
}

/** An agent enrolment token (`GET /projects/:projectId/agent-tokens`), without its secret. */
export interface EnrolTokenView {
  id: string;
  name: string;
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
  uses: number;
}

/** A new enrolment token (`POST /projects/:projectId/agent-tokens`): the only answer with its secret. */
export interface CreatedEnrolTokenView extends EnrolTokenView {
  token: string;
}

// ---------------------------------------------------------------- script library

/**
 * A library script: of a project, or public (`projectId` null) for every project. The routes are
 * `/projects/:projectId/scripts` and `/public-scripts`.
 */
export interface ScriptView {
  id: string;
  projectId: string | null;
  name: string;
  language: ScriptLanguage;
  description: string | null;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}

/** A script in the list, with its online version's id. */
export interface ScriptListItemView extends ScriptView {
  onlineVersionId: string | null;
}

/** A script with all its versions, newest first: the answer of get, create and update. */
export interface ScriptDetailView extends ScriptView {
  versions: ScriptVersionView[];
}

/** One version of a script's text. Only drafts can be edited. */
export interface ScriptVersionView {
  id: string;
  scriptId: string;
  version: string;
  content: string;
  status: ScriptVersionStatus;
  description: string | null;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}

/** A job that ran a script (`GET …/scripts/:scriptId/references`, bk-job's "cited by"). */
export interface ScriptReferenceView {
  jobId: string;
  projectId: string;
  name: string;
  origin: RunOrigin;
  versionId: string | null;
  /** The name of the user who started the job. */
  createdBy: string | null;
  createdAt: string;
}

// ---------------------------------------------------------------- high-risk command rules

/** A high-risk command rule (`GET /danger-rules`): a regular expression checked against script lines. */
export interface DangerRuleView {
  id: string;
  expression: string;
  languages: ScriptLanguage[];
  description: string;
  action: DangerAction;
  enabled: boolean;
  /** Rules are checked and listed in this order. */
  position: number;
  createdAt: string;
  updatedAt: string;
}

/** One script line that matched a rule (`POST /danger-rules/check`; nothing is recorded). */
export interface DangerMatchView {
  ruleId: string;
  action: DangerAction;
  description: string;
  /** 1-based line number in the script. */
  line: number;
  lineContent: string;
  /** The text the expression matched. */
  matched: string;
}

/**
 * A recorded rule hit (`GET /danger-hits`, `GET /projects/:projectId/danger-hits`): who ran what,
 * where, and whether the run was refused. `script` is the whole script that was screened.
 */
export interface DangerHitView {
  id: number;
  at: string;
  ruleId: string;
  expression: string;
  action: DangerAction;
  description: string;
  projectId: string;
  userId: string | null;
  username: string | null;
  origin: RunOrigin;
  language: ScriptLanguage;
  line: number;
  lineContent: string;
  blocked: boolean;
  /** The job that ran; null when the run was refused. */
  jobId: string | null;
}

/** One hit with the whole script that was screened (lists leave it out: a script may be megabytes). */
export interface DangerHitDetailView extends DangerHitView {
  script: string;
}
