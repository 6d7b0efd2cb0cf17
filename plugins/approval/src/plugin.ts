/**
 * approval: the node waits (callback mode) until a user with one of the required roles approves
 * or rejects. Core's approval endpoint checks the user's role and delivers
 * `{decision, user, role, comment}`; the plugin checks the role again against its own list.
 */
import { definePlugin, host, type PluginContext } from '@opsloom/plugin-sdk';
import { PluginFailure } from '@opsloom/plugin-sdk';

/** Inputs, as the manifest's schema describes them. */
interface Inputs {
  title?: string;
  message: string;
  approverRoles: string[];
  notify?: { channel: 'email' | 'slack' | 'wecom' | 'feishu'; to?: string[]; webhook?: string };
  notifyRequired?: boolean;
}

/** What the engine keeps while the node waits. */
interface WaitState {
  title: string;
  message: string;
  approverRoles: string[];
  requestedAt: string;
}

/** The decision delivered by core's approval endpoint. */
interface Decision {
  decision: 'approve' | 'reject';
  user: string;
  role: string;
  comment?: string;
}

interface Outputs {
  [key: string]: unknown;
  decision: 'approve';
  approver: string;
  role: string;
  comment: string;
  requestedAt: string;
  decidedAt: string;
}

/** Reads callback data, or says why it is not a decision. */
function readDecision(data: unknown): Decision | string {
  const d = data as Partial<Decision> | null;
  if (!d || typeof d !== 'object') return 'callback data is not an object';
  if (d.decision !== 'approve' && d.decision !== 'reject') return `decision must be "approve" or "reject", got ${JSON.stringify(d.decision)}`;
  if (typeof d.user !== 'string' || d.user === '') return 'callback data has no user';
  if (typeof d.role !== 'string' || d.role === '') return 'callback data has no role';
  if (d.comment !== undefined && typeof d.comment !== 'string') return 'comment must be a string';
  return d as Decision;
}

async function notifyApprovers(inputs: Inputs, state: WaitState, ctx: PluginContext): Promise<void> {
  const n = inputs.notify;
  if (!n) return;
  const text = `${state.message}\n\nWaiting for approval by: ${state.approverRoles.join(', ')}.\nTask ${ctx.taskId}, node ${ctx.nodeId} (project ${ctx.projectId}): approve or reject it in Opsloom.`;
  const message = n.channel === 'email'
    ? { channel: 'email', to: n.to ?? [], subject: `Approval needed: ${state.title}`, text }
    : { channel: n.channel, webhook: n.webhook ?? '', text: `Approval needed: ${state.title}\n${text}` };
  if (n.channel === 'email' ? !n.to?.length : !n.webhook) {
    throw new PluginFailure('NOTIFY_INPUT_MISSING', n.channel === 'email' ? 'notify.to needs at least one address' : 'notify.webhook needs a URL or secret:<name>');
  }
  try {
    await host.notify.send(message);
    ctx.log.info(`approvers notified by ${n.channel}`);
  } catch (err) {
    if (inputs.notifyRequired) throw err;
    // The approval itself still works from the task page: a failed notice must not block it.
    ctx.log.warn(`could not notify approvers by ${n.channel}: ${(err as Error).message}`);
  }
}

export default definePlugin<Inputs, Outputs, WaitState>({
  async execute(inputs, ctx) {
    const state: WaitState = {
      title: inputs.title ?? 'Approval',
      message: inputs.message,
      approverRoles: inputs.approverRoles,
      requestedAt: new Date().toISOString(),
    };
    await notifyApprovers(inputs, state, ctx);
    ctx.log.info(`waiting for approval by ${state.approverRoles.join(' or ')}`);
    return ctx.waitCallback(state, { multiple: false });
  },

  callback(state, data, ctx) {
    const d = readDecision(data);
    if (typeof d === 'string') {
      ctx.log.warn(`ignored a callback: ${d}; still waiting`);
      return ctx.waitCallback(state, { multiple: false });
    }
    if (!state.approverRoles.includes(d.role)) {
      ctx.log.warn(`ignored a ${d.decision} by ${d.user}: role "${d.role}" is not one of ${state.approverRoles.join(', ')}; still waiting`);
      return ctx.waitCallback(state, { multiple: false });
    }
    const comment = d.comment ?? '';
    if (d.decision === 'reject') {
      throw new PluginFailure('APPROVAL_REJECTED', `rejected by ${d.user} (${d.role})${comment ? `: ${comment}` : ' without a comment'}`);
    }
    ctx.log.info(`approved by ${d.user} (${d.role})`);
    return { decision: 'approve', approver: d.user, role: d.role, comment, requestedAt: state.requestedAt, decidedAt: new Date().toISOString() };
  },
});
