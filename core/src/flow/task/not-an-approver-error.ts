import { AppError } from '../../errors.js';

/** Thrown when a user decides an approval node whose `approverRoles` does not list their project role. */
export class NotAnApproverError extends AppError {
  readonly status = 403;
  readonly code = 'not_an_approver';
  constructor(readonly nodeId: string, readonly role: string, readonly approverRoles: string[]) {
    super(approverRoles.length
      ? `your role ${role} may not decide approval node ${nodeId}: only ${approverRoles.join(' or ')} may`
      : `nobody may decide approval node ${nodeId}: its approverRoles input names no role`, { role, approverRoles });
  }
}
