import { Ajv, type ValidateFunction } from 'ajv';
import type { JsonSchema } from '../manifest/index.js';
import { ErrorCode, PluginRuntimeError } from '../errors.js';

type Which = 'inputs' | 'outputs';

/** Distinct schemas kept compiled; the least recently used are dropped (and recompiled if needed). */
const MAX_SCHEMAS = 4000;

/**
 * Validates plugin inputs before a call and outputs after it, against the manifest's JSON Schemas.
 * Compiled validators are shared by schema text: versions of a plugin usually keep their schemas,
 * and compiling one costs about as much as a whole warm call, so a first call of a new version
 * compiles only schemas never seen before. Both sides compile on a version's first check, so a
 * version whose outputs schema is broken is refused before it runs.
 */
export class IoValidator {
  readonly #ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false });
  readonly #bySchema = new Map<string, { schema: JsonSchema; validate: ValidateFunction }>();
  readonly #byKey = new Map<string, { inputs: ValidateFunction; outputs: ValidateFunction }>();

  /** Throws INPUT_INVALID / OUTPUT_INVALID naming the offending fields. */
  check(key: string, schemas: { inputs: JsonSchema; outputs: JsonSchema }, which: Which, value: unknown): void {
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
    this.#byKey.delete(key);
  }

  #compiled(key: string, schemas: { inputs: JsonSchema; outputs: JsonSchema }): { inputs: ValidateFunction; outputs: ValidateFunction } {
    let mine = this.#byKey.get(key);
    if (!mine) {
      mine = { inputs: this.#shared(schemas.inputs, 'inputs'), outputs: this.#shared(schemas.outputs, 'outputs') };
      this.#byKey.set(key, mine);
    }
    return mine;
  }

  #shared(schema: JsonSchema, which: Which): ValidateFunction {
    const text = JSON.stringify(schema);
    const hit = this.#bySchema.get(text);
    if (hit) {
      this.#bySchema.delete(text);
      this.#bySchema.set(text, hit);
      return hit.validate;
    }
    let validate: ValidateFunction;
    try {
      validate = this.#ajv.compile(schema);
    } catch (err) {
      throw new PluginRuntimeError(ErrorCode.PluginInvalid, `the manifest's ${which} schema does not compile: ${(err as Error).message}`);
    }
    this.#bySchema.set(text, { schema, validate });
    if (this.#bySchema.size > MAX_SCHEMAS) {
      const [oldest, entry] = this.#bySchema.entries().next().value as [string, { schema: JsonSchema }];
      this.#bySchema.delete(oldest);
      this.#ajv.removeSchema(entry.schema);
    }
    return validate;
  }
}
