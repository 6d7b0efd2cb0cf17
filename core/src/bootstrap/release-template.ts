import type { FlowEdge, FlowGraph, FlowNode, VariableType } from '../model/index.js';

/** Name of the demo template. */
export const RELEASE_TEMPLATE_NAME = 'Release a service';

const PLUGIN = {
  queryHosts: '@opsloom/plugin-cmdb-query-hosts',
  script: '@opsloom/plugin-job-execute-script',
  notify: '@opsloom/plugin-notify',
  approval: '@opsloom/plugin-approval',
} as const;

/** The standard plugins the demo template calls. */
export const RELEASE_TEMPLATE_PLUGINS: readonly string[] = Object.values(PLUGIN);

const task = (id: string, name: string, plugin: string, inputs: Record<string, unknown>, outputs: Record<string, string>): FlowNode =>
  ({ id, type: 'task', name, plugin: { name: plugin, version: '^1.0.0' }, inputs, outputs }) as FlowNode;

const HEALTH_CHECK = [
  '#!/bin/bash',
  '# Demo health check: replace with a real probe, e.g. curl -fsS http://127.0.0.1:8080/healthz',
  'echo "health check on $(hostname)"',
  'test -d /tmp && echo ok',
].join('\n');

const DEPLOY = [
  '#!/bin/bash',
  '# Demo deploy: the version arrives as $1',
  'echo "deploying version $1 on $(hostname)"',
  'echo done',
].join('\n');

/** The webhook body both notifications send; `{{…}}` placeholders come from `values`. */
const notice = (event: string, afterCheck: boolean): Record<string, unknown> => ({
  channel: 'webhook',
  url: '${notify_url || "http://127.0.0.1/"}',
  // Without a notify URL the message is composed but not sent, so the demo runs on a bare machine.
  dryRun: '${!notify_url}',
  body: { event, service: '{{service}}', version: '{{version}}', hosts: '{{hosts}}', ...(afterCheck ? { failed: '{{failed}}' } : {}), task: '{{task}}' },
  // A variable an output mapping writes is unknown until its node ran: the start notice runs beside the check.
  values: { service: '${service}', version: '${version}', hosts: '${host_count}', ...(afterCheck ? { failed: '${check_failed_count}' } : {}), task: '${_system.task_url}' },
});

/**
 * The demo project's "Release a service" template: query the hosts of module web/app → in
 * parallel, a health-check script on them and a "release started" notification → converge →
 * approval by an admin or operator → exclusive gateway on the health check (no failed host:
 * deploy script; otherwise a "release failed" notification) → end.
 */
export function releaseTemplate(): FlowGraph {
  const nodes: FlowNode[] = [
    { id: 'start', type: 'start' },
    task('query_hosts', 'Query hosts of web/app', PLUGIN.queryHosts, { topology: [{ set: 'web', module: 'app' }], onlineOnly: true }, { ips: 'target_ips', count: 'host_count' }),
    { id: 'fork', type: 'parallel', name: 'Check and announce' },
    task('health_check', 'Health check', PLUGIN.script, {
      script: '${health_check_script}', language: 'bash', targets: { ips: '${target_ips}' }, timeoutSeconds: 60,
      // Failed hosts are counted, not fatal: the gateway below decides what happens.
      tolerateFailureRatio: 1,
    }, { failedCount: 'check_failed_count', successCount: 'check_success_count', jobId: 'check_job_id' }),
    task('notify_start', 'Notify: release started', PLUGIN.notify, notice('release.started', false), { delivered: 'start_notified' }),
    { id: 'join', type: 'converge' },
    task('approval', 'Approve the release', PLUGIN.approval, {
      title: 'Release ${service} ${version}',
      message: 'Health check: ${check_success_count} of ${host_count} hosts OK, ${check_failed_count} failed. Release ${service} ${version}?',
      approverRoles: ['admin', 'operator'],
      notify: { channel: 'email', to: ['${approver_email}'] },
    }, { approver: 'approved_by', decision: 'approval_decision' }),
    { id: 'decide', type: 'exclusive', name: 'Health check passed?' },
    task('deploy', 'Deploy', PLUGIN.script, {
      script: '${deploy_script}', language: 'bash', params: '${version}', targets: { ips: '${target_ips}' }, timeoutSeconds: 300,
    }, { jobId: 'deploy_job_id', state: 'deploy_state' }),
    task('notify_failure', 'Notify: release failed', PLUGIN.notify, notice('release.failed', true), { delivered: 'failure_notified' }),
    { id: 'done', type: 'converge' },
    { id: 'end', type: 'end' },
  ];
  const links: [string, string, Partial<FlowEdge>?][] = [
    ['start', 'query_hosts'], ['query_hosts', 'fork'], ['fork', 'health_check'], ['fork', 'notify_start'],
    ['health_check', 'join'], ['notify_start', 'join'], ['join', 'approval'], ['approval', 'decide'],
    ['decide', 'deploy', { condition: { expression: '${check_failed_count == 0}', name: 'healthy' } }],
    ['decide', 'notify_failure', { default: true }],
    ['deploy', 'done'], ['notify_failure', 'done'], ['done', 'end'],
  ];
  const str = (name: string, value: string, description: string, extra: Record<string, unknown> = {}) =>
    ({ type: 'string' as const, name, value, description, show: true, ...extra });
  const out = (type: VariableType, name: string) => ({ type, name, show: false });
  return {
    name: RELEASE_TEMPLATE_NAME,
    nodes,
    flows: links.map(([source, target, extra], i) => ({ id: `f${i + 1}`, source, target, ...(extra ?? {}) })),
    variables: {
      service: str('Service', 'demo-app', 'Name of the service being released.', { required: true }),
      version: str('Version', '1.0.0', 'Version to deploy; the deploy script gets it as $1.', { required: true }),
      notify_url: str('Notify URL', '', 'Webhook the start/failure notices are POSTed to (its origin must be in OPSLOOM_NOTIFY_ORIGINS); empty = compose the notice without sending it.'),
      approver_email: str('Approver e-mail', 'ops@example.com', 'Who is e-mailed when the approval waits (needs OPSLOOM_SMTP_URL; otherwise a warning is logged and the approval waits anyway).'),
      health_check_script: { type: 'text', name: 'Health-check script', value: HEALTH_CHECK, render: false, show: true, description: 'Bash run on every target host; a non-zero exit counts the host as failed.' },
      deploy_script: { type: 'text', name: 'Deploy script', value: DEPLOY, render: false, show: true, description: 'Bash run on every target host once the release is approved and healthy.' },
      target_ips: out('json', 'Target hosts'),
      host_count: out('number', 'Host count'),
      check_failed_count: out('number', 'Failed health checks'),
      check_success_count: out('number', 'Passed health checks'),
      check_job_id: out('string', 'Health-check job'),
      start_notified: out('boolean', 'Start notice delivered'),
      approved_by: out('string', 'Approved by'),
      approval_decision: out('string', 'Decision'),
      deploy_job_id: out('string', 'Deploy job'),
      deploy_state: out('string', 'Deploy result'),
      failure_notified: out('boolean', 'Failure notice delivered'),
    },
    outputs: ['host_count', 'check_failed_count', 'approved_by', 'deploy_job_id', 'deploy_state'],
  };
}
