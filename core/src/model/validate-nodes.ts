import type { FlowNode } from './graph.js';
import type { GraphError } from './errors.js';
import { isObject } from './validate-structure.js';
import { variableKeyProblem } from './variable-keys.js';

/** Checks the type-specific settings of one node (plugin, inputs, outputs, error policy, flags). */
export function checkNodeSettings(node: FlowNode): GraphError[] {
  const errors: GraphError[] = [];
  const bad = (message: string): void => {
    errors.push({ nodeId: node.id, rule: 'invalid_node', message: `${node.type} node ${node.id}: ${message}` });
  };
  if (node.name !== undefined && typeof node.name !== 'string') bad('"name" must be a string');
  if (node.type === 'exclusive' && node.strategy !== undefined && node.strategy !== 'only' && node.strategy !== 'first') {
    bad(`"strategy" must be "only" or "first", not ${JSON.stringify(node.strategy)}`);
  }
  if (node.type !== 'task' && node.type !== 'subflow') return errors;

  if (node.type === 'task') {
    const plugin: unknown = node.plugin;
    if (!isObject(plugin) || typeof plugin.name !== 'string' || !plugin.name || typeof plugin.version !== 'string' || !plugin.version) {
      bad('"plugin" must be {name, version} with non-empty strings');
    }
    if (!isObject(node.inputs)) bad('"inputs" must be an object keyed by input name');
  } else {
    const template: unknown = node.template;
    if (!isObject(template) || typeof template.id !== 'string' || !template.id ||
      (typeof template.version !== 'string' && typeof template.version !== 'number')) {
      bad('"template" must be {id, version}');
    }
    if (!isObject(node.params)) bad('"params" must be an object keyed by variable name');
  }
  if (node.outputs !== undefined) {
    if (!isObject(node.outputs)) {
      bad('"outputs" must map each produced output key to a variable key');
    } else {
      for (const [key, target] of Object.entries(node.outputs)) {
        const problem = typeof target === 'string' ? variableKeyProblem(target) : 'is not a string';
        if (problem) {
          errors.push({ nodeId: node.id, rule: 'invalid_variable_key',
            message: `${node.type} node ${node.id} maps output ${key} to ${JSON.stringify(target)}, which ${problem}` });
        }
      }
    }
  }
  for (const flag of ['retryable', 'skippable', 'optional'] as const) {
    if (node[flag] !== undefined && typeof node[flag] !== 'boolean') bad(`"${flag}" must be true or false`);
  }
  if (node.loop !== undefined && (!isObject(node.loop) || !isPositiveInteger(node.loop.maxLoops))) {
    bad('"loop.maxLoops" must be a positive integer');
  }
  errors.push(...checkErrorPolicy(node));
  return errors;
}

function checkErrorPolicy(node: FlowNode & { onError?: unknown }): GraphError[] {
  const policy = node.onError;
  if (policy === undefined) return [];
  const errors: GraphError[] = [];
  const bad = (message: string): void => {
    errors.push({ nodeId: node.id, rule: 'invalid_error_policy', message: `node ${node.id}: ${message}` });
  };
  if (!isObject(policy)) {
    bad('"onError" must be an object');
    return errors;
  }
  if (policy.ignore !== undefined && typeof policy.ignore !== 'boolean') bad('"onError.ignore" must be true or false');
  if (policy.retry !== undefined) {
    const retry = policy.retry;
    if (!isObject(retry) || !isPositiveInteger(retry.times) || retry.times > 10) bad('"onError.retry.times" must be an integer from 1 to 10');
    else if (!Number.isInteger(retry.intervalMs) || (retry.intervalMs as number) < 0 || (retry.intervalMs as number) > 3_600_000) {
      bad('"onError.retry.intervalMs" must be an integer from 0 to 3600000 (one hour)');
    }
  }
  if (policy.timeout !== undefined) {
    const timeout = policy.timeout;
    if (!isObject(timeout) || typeof timeout.seconds !== 'number' || !(timeout.seconds > 0) || timeout.seconds > MAX_TIMEOUT_SECONDS) {
      bad(`"onError.timeout.seconds" must be a positive number of at most ${MAX_TIMEOUT_SECONDS} (366 days)`);
    } else if (timeout.action !== 'fail' && timeout.action !== 'fail-and-skip') {
      bad('"onError.timeout.action" must be "fail" or "fail-and-skip"');
    }
  }
  return errors;
}

/**
 * The longest attempt timeout, as long as the sleep timer waits. Without a bound, a deadline of
 * now + seconds × 1000 could be Infinity or past a BIGINT: on MySQL the node's claim then failed
 * on every try and the node stayed `ready` for ever.
 */
const MAX_TIMEOUT_SECONDS = 366 * 24 * 3600;

function isPositiveInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value > 0;
}
