/**
 * set-variables: outputs the given key/values, optionally coerced to a type; the engine maps
 * outputs to flow variables. Expressions in the values (`${...}`) are rendered by the engine.
 */
import { definePlugin } from '@opsloom/plugin-sdk';
import { coerce, type VariableType } from './coerce.js';
import { PluginFailure } from '@opsloom/plugin-sdk';

interface Inputs {
  variables: Record<string, unknown>;
  types?: Record<string, VariableType>;
  separator?: string;
}

export default definePlugin<Inputs, Record<string, unknown>>({
  execute(inputs, ctx) {
    const types = inputs.types ?? {};
    for (const key of Object.keys(types)) {
      if (!Object.prototype.hasOwnProperty.call(inputs.variables, key)) {
        throw new PluginFailure('TYPE_FOR_UNKNOWN_VARIABLE', `types names "${key}", which is not in variables: fix the spelling or add the variable`);
      }
    }
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(inputs.variables)) {
      const type = types[key];
      out[key] = type ? coerce(key, value, type, inputs.separator ?? ',') : value;
    }
    ctx.log.info(`set ${Object.keys(out).length} variables: ${Object.keys(out).join(', ')}`);
    return out;
  },
});
