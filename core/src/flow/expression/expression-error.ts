import { AppError } from '../../errors.js';
import { PROJECT_CONSTANT_PREFIX } from '../../model/index.js';

/** Why an expression failed. */
export type ExpressionFailure =
  /** The text is not a JavaScript expression (or a `${` is unterminated / empty: `template`). */
  | 'syntax'
  | 'template'
  /** It reads a name that is neither a variable in scope nor a JavaScript global. */
  | 'reference'
  /** It threw while running. */
  | 'runtime'
  /** It ran longer than the time budget. */
  | 'timeout'
  /** It allocated more than the memory budget. */
  | 'memory'
  /** It produced something that is not data (a function, a promise, a BigInt, a cycle), or a condition that is not a boolean. */
  | 'result'
  /** The scope handed in could not be copied as JSON (host-side problem, not the expression's). */
  | 'scope';

const REASONS: Record<ExpressionFailure, string> = {
  syntax: 'syntax error',
  template: 'malformed template',
  reference: 'unknown variable',
  runtime: 'error',
  timeout: 'time budget exceeded',
  memory: 'memory budget exceeded',
  result: 'unusable result',
  scope: 'scope is not JSON',
};

/** V8's words for a `${_env_KEY}` whose constant the project does not have (any more). */
const MISSING_CONSTANT = new RegExp(`^${PROJECT_CONSTANT_PREFIX}([A-Za-z_$][\\w$]*) is not defined$`);

/** V8's words for a name the scope lacks. */
const NOT_DEFINED = /^([A-Za-z_$][\w$]*) is not defined$/;

/**
 * The reason and detail a person reads. A missing constant is named as one, with where to set
 * it: the bare "_env_DB_HOST is not defined" sent people looking for a variable. Built only
 * when an expression failed, so evaluation itself pays nothing for it.
 */
function explain(reason: ExpressionFailure, detail: string, declared?: ReadonlySet<string>): { why: string; detail: string } {
  const constant = reason === 'reference' ? MISSING_CONSTANT.exec(detail)?.[1] : undefined;
  if (constant !== undefined) {
    return { why: 'unknown constant', detail: `project constant ${constant} is not set; a project admin adds it under the project's constants (Settings → Constants)` };
  }
  // A declared variable without a default, whose node has not run (or was skipped), is not in
  // the scope: "result is not defined" sent people looking for a typo.
  const name = reason === 'reference' && declared ? NOT_DEFINED.exec(detail)?.[1] : undefined;
  if (name !== undefined && declared!.has(name)) {
    return { why: 'no value', detail: `variable ${name} has no value yet (it has no default and no node has set it)` };
  }
  return { why: REASONS[reason], detail };
}

/**
 * Thrown when a `${…}` expression cannot be evaluated. The engine fails the node with this
 * message, which names the input, the expression and the cause, so the operator can fix the
 * flow; an expression is never silently left as text.
 *
 * @example
 * // input "cmd": expression ${host.ip} failed (unknown variable): host is not defined
 * // input "dsn": expression ${_env_DB_HOST} failed (unknown constant): project constant DB_HOST is not set; …
 * // condition of flow f3: expression ${n > 1} failed (unknown variable): n is not defined
 */
export class ExpressionError extends AppError {
  readonly status = 422;
  readonly code = 'expression_failed';
  constructor(
    /** The input (or condition) the expression sits in, with the path inside it: `targets[1].host`. */
    readonly input: string,
    /** The expression text (without `${}`). */
    readonly expression: string,
    readonly reason: ExpressionFailure,
    /** The underlying message (JavaScript error message, budget, …). */
    readonly detail: string,
    /** Names the flow declares; see {@link ExpressionSite}. */
    declared?: ReadonlySet<string>,
  ) {
    const shown = explain(reason, detail, declared);
    super(`${siteLabel(input)}: expression \${${expression}} failed (${shown.why}): ${shown.detail}`,
      { input, expression, reason });
  }
}

/** How a message names the site: `input "cmd"`, but a condition is no input: `condition of flow f3`. */
function siteLabel(input: string): string {
  return input.startsWith('condition of flow ') ? input : `input "${input}"`;
}

/** Thrown when the sandbox is used after `close()`. */
export class SandboxClosedError extends AppError {
  readonly status = 503;
  readonly code = 'sandbox_closed';
  constructor() {
    super('the expression sandbox is closed; create a new ExpressionSandbox');
  }
}
