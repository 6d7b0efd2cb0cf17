import { Ajv, type ValidateFunction } from 'ajv';
import type { JsonSchema } from '../manifest/index.js';
import { ErrorCode, PluginRuntimeError } from '../errors.js';

/**
 * Validates plugin inputs before a call and outputs after it, against the manifest's JSON Schemas.
 * Compiled validators are cached per plugin version.
 */
export class IoValidator {
  readonly #ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false });
  readonly #cache = new Map<string, { inputs: ValidateFunction; outputs: ValidateFunction }>();

  /** Throws INPUT_INVALID / OUTPUT_INVALID naming the offending fields. */
  check(key: string, schemas: { inputs: JsonSchema; outputs: JsonSchema }, which: 'inputs' | 'outputs', value: unknown): void {
    const validate = this.#compiled(key, schemas)[which];
    if (validate(value)) return;
    const detail = (validate.errors ?? [])
      .slice(0, 10)
      .map((e) => `${which}${e.instancePath.replaceAll('/', '.')} ${e.message ?? 'is invalid'}`)
      .join('; ');
    throw new PluginRuntimeError(which === 'inputs' ? ErrorCode.InputInvalid : ErrorCode.OutputInvalid, detail || `${which} do not match the schema`);
  }

  /** Forgets a plugin version's validators. */
  forget(key: string): void {
    this.#cache.delete(key);
  }

  #compiled(key: string, schemas: { inputs: JsonSchema; outputs: JsonSchema }): { inputs: ValidateFunction; outputs: ValidateFunction } {
    let c = this.#cache.get(key);
    if (!c) {
      try {
        c = { inputs: this.#ajv.compile(schemas.inputs), outputs: this.#ajv.compile(schemas.outputs) };
      } catch (err) {
        throw new PluginRuntimeError(ErrorCode.PluginInvalid, `the manifest's inputs/outputs schema does not compile: ${(err as Error).message}`);
      }
      this.#cache.set(key, c);
    }
    return c;
  }
}
