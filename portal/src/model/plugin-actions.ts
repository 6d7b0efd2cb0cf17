/**
 * What an operator may do with an installed plugin version now, and why not: enable (online),
 * take offline, disable, approve its capabilities. Drives the buttons of the marketplace.
 */
import type { Availability } from './task-operations.js';

/** An installed version as these rules need it. */
export interface PluginState {
  status: 'online' | 'offline' | 'disabled';
  capabilities: readonly string[];
  approvedCapabilities: readonly string[] | null;
}

/** Operations on an installed plugin version. */
export type PluginAction = 'online' | 'offline' | 'disabled' | 'approve';

/** Capabilities the version declares that no approval covers yet. */
export function unapprovedCapabilities(p: PluginState): string[] {
  const approved = new Set(p.approvedCapabilities ?? []);
  return p.capabilities.filter((c) => !approved.has(c));
}

/** True when the version can run: its declared capabilities are all approved. */
export function isApproved(p: PluginState): boolean {
  return p.approvedCapabilities !== null && unapprovedCapabilities(p).length === 0;
}

/**
 * The actions with their availability.
 *
 * @example
 * pluginActions({ status: 'online', capabilities: ['http:https://x'], approvedCapabilities: null }, true)
 *   .find((a) => a.op === 'approve')!.enabled // true
 */
export function pluginActions(p: PluginState, isAdmin: boolean): Availability<PluginAction>[] {
  const admin = isAdmin ? undefined : 'only an administrator can change installed plugins';
  const same = (s: PluginState['status']): string | undefined => (p.status === s ? `the version is ${s} already` : undefined);
  const rule: Record<PluginAction, [string, string | undefined]> = {
    online: ['Enable', admin ?? same('online')],
    offline: ['Take offline', admin ?? same('offline')],
    disabled: ['Disable', admin ?? same('disabled')],
    approve: ['Approve capabilities', admin ?? (isApproved(p) ? (p.capabilities.length ? 'its capabilities are approved' : 'it declares no capabilities') : undefined)],
  };
  return (Object.keys(rule) as PluginAction[]).map((op) => {
    const [label, reason] = rule[op];
    return reason === undefined ? { op, label, enabled: true } : { op, label, enabled: false, reason };
  });
}

/** One line on what a status means, for the plugin page. */
export function statusMeaning(status: PluginState['status']): string {
  switch (status) {
    case 'online': return 'offered in the editor and runnable';
    case 'offline': return 'hidden from the editor; still runs where a flow pins this version';
    default: return 'blocked: every task that uses it is refused (emergency stop)';
  }
}
