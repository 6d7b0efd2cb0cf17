import { AppError } from '../errors.js';
import type { Role } from './roles.js';

/**
 * Thrown when a user asks for an API token with a project role above their own there. The token
 * would be capped to their role when used anyway; refusing says so instead of promising a role
 * the token never has.
 */
export class TokenRoleNotHeldError extends AppError {
  readonly status = 403;
  readonly code = 'token_role_not_held';
  constructor(readonly role: Role, readonly yourRole: Role, projectKey: string) {
    super(`a token cannot carry role ${role}: your role in project ${projectKey} is ${yourRole}; ask for ${yourRole} or a role below it`, { role, yourRole });
  }
}
