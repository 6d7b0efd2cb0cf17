/** The expression sandbox: `${…}` evaluation in an isolate with no host access. */
export type { ExpressionSandboxOptions, ExpressionSite } from './sandbox.js';
export { ExpressionSandbox } from './sandbox.js';
export type { ExpressionFailure } from './expression-error.js';
export { ExpressionError, SandboxClosedError } from './expression-error.js';
export { unescapeTemplates } from './render-plan.js';
export { containsExpression, containsTemplate, literalInput } from './literal-input.js';
