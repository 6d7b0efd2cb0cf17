/** The subset of JSON Schema that {@link SchemaType} understands. */
export interface JsonSchemaLike {
  type?: string;
  properties?: Record<string, JsonSchemaLike>;
  required?: readonly string[];
  items?: JsonSchemaLike;
  enum?: readonly unknown[];
}

type Props<S extends JsonSchemaLike> = S['properties'] extends Record<string, JsonSchemaLike> ? S['properties'] : Record<never, never>;
type Field<T> = T extends JsonSchemaLike ? SchemaType<T> : unknown;
type Req<S extends JsonSchemaLike> = S['required'] extends readonly string[] ? S['required'][number] : never;

/**
 * The TypeScript type of values matching a JSON Schema literal (declare it `as const`).
 * @example
 * const inputs = { type: 'object', properties: { host: { type: 'string' } }, required: ['host'] } as const;
 * type Inputs = SchemaType<typeof inputs>; // { host: string }
 */
export type SchemaType<S extends JsonSchemaLike> =
  S['enum'] extends readonly unknown[] ? S['enum'][number]
  : S['type'] extends 'string' ? string
  : S['type'] extends 'number' | 'integer' ? number
  : S['type'] extends 'boolean' ? boolean
  : S['type'] extends 'null' ? null
  : S['type'] extends 'array' ? (S['items'] extends JsonSchemaLike ? SchemaType<S['items']>[] : unknown[])
  : S['type'] extends 'object'
    ? { [K in keyof Props<S> as K extends Req<S> ? K : never]: Field<Props<S>[K]> } & {
        [K in keyof Props<S> as K extends Req<S> ? never : K]?: Field<Props<S>[K]>;
      }
    : unknown;
