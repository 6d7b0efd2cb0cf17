/**
 * What `opsloom-plugin init --mode poll` writes on top of the common files: a plugin that starts a
 * job on a remote service, polls it, and stops it in `cancel` when the engine gives up on the node
 * (docs/plugins.md, "Stopping remote work").
 */

/** The remote service of the example; its origin is the plugin's `http:` capability. */
export const POLL_API = 'https://jobs.example.com';

export const pollInputs = { type: 'object', properties: { name: { type: 'string', description: 'Name of the job to run' } }, required: ['name'] };
export const pollOutputs = { type: 'object', properties: { jobId: { type: 'string' } }, required: ['jobId'] };

/** The `plugin.test.json` cases of a poll plugin: execute, both poll answers, a failed job, and cancel. */
export function pollTestCases(): unknown[] {
  const inputs = { name: 'nightly-backup' };
  const state = { jobId: 'j1' };
  const http = (path: string, body: string, status = 200) => ({ http: { [`${POLL_API}${path}`]: { status, body } } });
  return [
    { name: 'execute starts the job and asks to be polled', inputs, fixtures: http('/jobs', '{"id":"j1","state":"running"}', 201),
      expect: { status: 'poll', state, delayMs: 2000, logs: ['started job j1'] } },
    { name: 'poll waits while the job runs', call: 'poll', inputs, state, fixtures: http('/jobs/j1', '{"id":"j1","state":"running"}'),
      expect: { status: 'poll', state, delayMs: 2000 } },
    { name: 'poll returns the outputs once the job succeeded', call: 'poll', inputs, state, fixtures: http('/jobs/j1', '{"id":"j1","state":"succeeded"}'),
      expect: { status: 'done', outputs: { jobId: 'j1' } } },
    { name: 'a failed job fails the node with its own code', call: 'poll', inputs, state, fixtures: http('/jobs/j1', '{"id":"j1","state":"failed"}'),
      expect: { status: 'failed', errorCode: 'JOB_FAILED' } },
    { name: 'cancel stops the job', call: 'cancel', inputs, state, fixtures: http('/jobs/j1/cancel', '{"id":"j1","state":"cancelled"}'),
      expect: { status: 'done', logs: ['cancelled job j1'] } },
    { name: 'an empty name fails with its own code', inputs: { name: '' }, fixtures: {},
      expect: { status: 'failed', errorCode: 'NAME_EMPTY' } },
  ];
}

export const ISOLATE_POLL_PLUGIN = `import { definePlugin, host, PluginFailure, type SchemaType } from '@opsloom/plugin-sdk';

/** The service that runs the jobs: its origin is the \`http:\` capability in package.json. */
const API = '${POLL_API}';
const inputs = ${JSON.stringify(pollInputs)} as const;
type Inputs = SchemaType<typeof inputs>;
interface Job { id: string; state: string }

export default definePlugin<Inputs, { jobId: string }, { jobId: string }>({
  /** Starts the job and asks to be polled: the state is what poll and cancel get back. */
  async execute({ name }, ctx) {
    if (!name) throw new PluginFailure('NAME_EMPTY', 'set the name input to the job to run');
    const r = await host.http.fetch(\`\${API}/jobs\`, { method: 'POST', body: JSON.stringify({ name }) });
    if (!r.ok) throw new PluginFailure('JOB_NOT_STARTED', \`\${API} answered \${r.status}\`);
    const job = r.json<Job>();
    ctx.log('started job', job.id);
    return ctx.poll({ jobId: job.id }, 2000);
  },
  async poll(state, ctx) {
    const job = (await host.http.fetch(\`\${API}/jobs/\${state.jobId}\`)).json<Job>();
    if (job.state === 'running') return ctx.poll(state, 2000);
    if (job.state !== 'succeeded') throw new PluginFailure('JOB_FAILED', \`job \${job.id} ended \${job.state}\`);
    return { jobId: job.id };
  },
  /**
   * The engine gave up on the node while it waited (task revoked, node forced to fail, attempt
   * timed out): stop the job. Called once, best effort: keep it idempotent and quick.
   */
  async cancel(state, ctx) {
    const r = await host.http.fetch(\`\${API}/jobs/\${state.jobId}/cancel\`, { method: 'POST' });
    // Already gone is as good as stopped.
    if (!r.ok && r.status !== 404) throw new PluginFailure('JOB_NOT_CANCELLED', \`\${API} answered \${r.status}\`);
    ctx.log('cancelled job', state.jobId);
  },
});
`;

export const AS_POLL_PLUGIN = `import { readInput, writeOutput, fail, log, httpFetch, jsonString, jsonField } from './opsloom';

/** The service that runs the jobs: its origin is the \`http:\` capability in package.json. */
const API = '${POLL_API}';

function pollAgain(jobId: string): i32 {
  writeOutput('{"status":"poll","state":{"jobId":' + jsonString(jobId) + '},"delayMs":2000}');
  return 0;
}

/** Starts the job and asks to be polled: the state is what poll and cancel get back. */
export function execute(): i32 {
  const name = jsonField(readInput(), 'name');
  if (name.length == 0) return fail('NAME_EMPTY', 'set the name input to the job to run');
  const r = httpFetch('POST', API + '/jobs', '{"name":' + jsonString(name) + '}');
  if (!r.ok()) return fail('JOB_NOT_STARTED', API + ' answered ' + r.status.toString() + ' ' + r.body);
  const jobId = jsonField(r.body, 'id');
  log('started job ' + jobId);
  return pollAgain(jobId);
}

/** Input: {"inputs": {...}, "state": {"jobId": ...}, "context": {...}}. */
export function poll(): i32 {
  const jobId = jsonField(readInput(), 'jobId');
  const job = httpFetch('GET', API + '/jobs/' + jobId, '').body;
  const state = jsonField(job, 'state');
  if (state == 'running') return pollAgain(jobId);
  if (state != 'succeeded') return fail('JOB_FAILED', 'job ' + jobId + ' ended ' + state);
  writeOutput('{"status":"done","outputs":{"jobId":' + jsonString(jobId) + '}}');
  return 0;
}

/**
 * The engine gave up on the node while it waited (task revoked, node forced to fail, attempt timed
 * out): stop the job. Called once, best effort: keep it idempotent and quick. Writing no result is done.
 */
export function cancel(): i32 {
  const jobId = jsonField(readInput(), 'jobId');
  const r = httpFetch('POST', API + '/jobs/' + jobId + '/cancel', '');
  // Already gone is as good as stopped.
  if (!r.ok() && r.status != 404) return fail('JOB_NOT_CANCELLED', API + ' answered ' + r.status.toString() + ' ' + r.body);
  log('cancelled job ' + jobId);
  return 0;
}
`;
