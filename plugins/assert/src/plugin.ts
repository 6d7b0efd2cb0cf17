/**
 * assert: fails the node with the given message when `condition` is false. The engine renders
 * the condition (`${hosts.count > 0}`) before the call; this plugin only judges the result.
 */
import { definePlugin } from '@opsloom/plugin-sdk';
import { PluginFailure } from '@opsloom/plugin-sdk';

interface Inputs {
  condition: boolean | string;
  message: string;
  code?: string;
}

/** Reads the condition: a boolean, or the text "true"/"false" an interpolated string yields. */
function truth(condition: boolean | string): boolean {
  if (typeof condition === 'boolean') return condition;
  const s = condition.trim().toLowerCase();
  if (s === 'true') return true;
  if (s === 'false') return false;
  throw new PluginFailure('ASSERT_CONDITION_INVALID', `condition must be true or false, got "${condition.slice(0, 100)}": write it as one expression, e.g. "\${hosts.count > 0}"`);
}

export default definePlugin<Inputs, { passed: boolean }>({
  execute(inputs, ctx) {
    if (!truth(inputs.condition)) throw new PluginFailure(inputs.code ?? 'ASSERTION_FAILED', inputs.message);
    ctx.log.info('assertion holds');
    return { passed: true };
  },
});
