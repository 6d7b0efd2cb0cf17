import type { FlowNode, JsonValue } from '../../model/index.js';
import { NotAnApproverError } from './not-an-approver-error.js';

/** A node of the approval plugin: its callbacks carry who decided, so only core may send them (approve). */
export const isApproval = (def: FlowNode): boolean => def.type === 'task' && def.plugin.name.endsWith('/plugin-approval');

/**
 * Checks that `role` may decide an approval node, by the `approverRoles` input as rendered for
 * the attempt that waits. The plugin checks again, but it can only ignore a stray decision (the
 * node keeps waiting): core refuses it so the caller learns who may decide.
 * @throws NotAnApproverError when `role` is not listed, or the inputs list no roles at all.
 */
export function assertApprover(nodeId: string, inputs: Record<string, JsonValue> | null | undefined, role: string): void {
  const listed = inputs?.approverRoles;
  const roles = Array.isArray(listed) ? listed.filter((r): r is string => typeof r === 'string') : [];
  if (!roles.includes(role)) throw new NotAnApproverError(nodeId, role, roles);
}
