/**
 * Variable names and the names the engine provides. A variable key must be usable as a bare
 * identifier inside `${…}`, so it follows JavaScript identifier rules.
 */

/** System variables: `${_system.task_id}`, `_system.operator`, `_system.project_id`, `_system.task_start_time`, `_system.task_url`, … */
export const SYSTEM_VARIABLE = '_system';

/** Prefix of project-level constants: `${_env_DB_HOST}`. */
export const PROJECT_CONSTANT_PREFIX = '_env_';

/** Outputs every plugin node has whether its plugin declares them or not: whether it succeeded, and its loop count. */
export const RESERVED_OUTPUTS: readonly string[] = ['_result', '_loop'];

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** A task stores its variables under keys of at most this many characters. */
export const MAX_VARIABLE_KEY_LENGTH = 128;

const RESERVED_WORDS = new Set([
  'break', 'case', 'catch', 'class', 'const', 'continue', 'debugger', 'default', 'delete', 'do', 'else', 'enum',
  'export', 'extends', 'false', 'finally', 'for', 'function', 'if', 'import', 'in', 'instanceof', 'new', 'null',
  'return', 'super', 'switch', 'this', 'throw', 'true', 'try', 'typeof', 'var', 'void', 'while', 'with', 'yield',
  'let', 'static', 'implements', 'interface', 'package', 'private', 'protected', 'public', 'await', 'arguments', 'eval',
]);

/** Why `key` cannot name a variable, phrased to follow "key …", or undefined when it can. */
export function variableKeyProblem(key: string): string | undefined {
  if (!IDENTIFIER.test(key)) return 'is not an identifier (letters, digits, _ and $, not starting with a digit)';
  if (key.length > MAX_VARIABLE_KEY_LENGTH) return `is longer than ${MAX_VARIABLE_KEY_LENGTH} characters`;
  if (RESERVED_WORDS.has(key)) return 'is a JavaScript reserved word';
  // Variables are kept in plain objects keyed by name; assigning this key sets the object's
  // prototype instead, so the variable would vanish and `${__proto__}` read something else.
  if (key === '__proto__') return "is JavaScript's prototype accessor";
  return undefined;
}

/** True for names the engine provides and a template may not declare: `_system`, `_env_*`, `_result`, `_loop`. */
export function isBuiltinVariable(name: string): boolean {
  return name === SYSTEM_VARIABLE || name.startsWith(PROJECT_CONSTANT_PREFIX) || RESERVED_OUTPUTS.includes(name);
}
