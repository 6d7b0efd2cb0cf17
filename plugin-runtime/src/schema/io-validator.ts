import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
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
    const detail = (validate.errors ?? []).slice(0, 10).map((e) => describe(which, e)).join('; ');
    throw new PluginRuntimeError(which === 'inputs' ? ErrorCode.InputInvalid : ErrorCode.OutputInvalid, detail || `${which} do not match the schema`);
  }

  /**
   * What inputs already break of the schema before a run, when the fields in `open` are still
   * unknown (expressions rendered at run time): those fields are left out of `known`, and an error
   * about them, or one that cannot be pinned to a field while some are open, is not reported.
   * Throws PLUGIN_INVALID when the schema does not compile.
   */
  inputProblems(schema: JsonSchema, known: Record<string, unknown>, open: ReadonlySet<string>): string[] {
    const validate = this.#shared(schema, 'inputs');
    if (validate(known)) return [];
    return (validate.errors ?? []).filter((e) => {
      if (open.size === 0) return true;
      // Under anyOf, oneOf, not or if, whether the error stands depends on the other fields too.
      const field = fieldOf(e);
      return field !== undefined && !open.has(field) && !CONDITIONAL.test(e.schemaPath);
    }).slice(0, 10).map((e) => describe('inputs', e));
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

const CONDITIONAL = /\/(anyOf|oneOf|not|if|then|else|dependentSchemas|dependencies)(\/|$)/;

function describe(which: Which, e: ErrorObject): string {
  // Ajv's message does not say which field is one too many.
  const message = e.keyword === 'additionalProperties' ? `must NOT have additional property '${(e.params as { additionalProperty: string }).additionalProperty}'` : e.message;
  return `${which}${pathOf(e).map((segment) => `.${segment}`).join('')} ${message ?? 'is invalid'}`;
}

/** The error's instance path as field names (JSON Pointer escapes undone). */
function pathOf(e: ErrorObject): string[] {
  return e.instancePath ? e.instancePath.slice(1).split('/').map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~')) : [];
}

/** The top-level field an error is about, when it can be told. */
function fieldOf(e: ErrorObject): string | undefined {
  const [first] = pathOf(e);
  if (first !== undefined) return first;
  const p = e.params as { missingProperty?: string; additionalProperty?: string; propertyName?: string };
  return p.missingProperty ?? p.additionalProperty ?? p.propertyName;
}
