import { AppError } from '../errors.js';

/** Thrown when an intercept rule matched the script: the run is refused before anything is dispatched. */
export class DangerousScriptError extends AppError {
  readonly status = 422;
  readonly code = 'dangerous_script';
  constructor(summary: string, hits: { ruleId: string; line: number; lineContent: string; description: string }[]) {
    super(`the script was refused by high-risk command rules: ${summary}`, { hits });
  }
}

/**
 * Thrown when the high-risk command check could not complete (a rule hung or failed): the run is
 * refused rather than let through unchecked.
 */
export class DangerCheckFailedError extends AppError {
  readonly status = 422;
  readonly code = 'danger_check_failed';
}

/** Thrown when a rule expression is refused at save time (invalid, or backtracks catastrophically). */
export class InvalidRuleError extends AppError {
  readonly status = 400;
  readonly code = 'invalid_rule';
}

/** Thrown when a referenced script version may not run (draft, disabled, or no online version). */
export class ScriptNotRunnableError extends AppError {
  readonly status = 409;
  readonly code: string;
  constructor(message: string, code: 'script_disabled' | 'script_version_draft' | 'script_not_online') {
    super(message);
    this.code = code;
  }
}

/** Thrown when none of the requested targets can be found in the project. */
export class NoTargetsError extends AppError {
  readonly status = 400;
  readonly code = 'no_targets';
}
