import type { FastifyRequest } from 'fastify';

/**
 * Path parameters and query strings arrive as text; JSON bodies do not. So
 * ajv never coerces (server/app.ts), and this preValidation hook turns the
 * text of params and query strings into what their schema asks for, strictly:
 *
 * - an integer is `-?(0|[1-9][0-9]*)` and a safe integer: `1e3`, `0x10`, ` 12`,
 *   `+1` and `012` stay text, so the schema answers 400 (ajv's own coercion
 *   took `1e3` for 1000);
 * - a number is an integer with an optional `.digits` fraction;
 * - a boolean is `true` or `false`;
 * - a parameter whose schema is an array takes one value or repeats
 *   (`threads=1&threads=2`), each value coerced as above;
 * - a value that does not fit is left as it came, and validation names it.
 */

interface Schema {
  type?: string | string[];
  items?: Schema;
  properties?: Record<string, Schema>;
}

const INTEGER = /^-?(0|[1-9][0-9]*)$/;
const NUMBER = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?$/;

function types(schema: Schema | undefined): string[] {
  const type = schema?.type;
  return type === undefined ? [] : Array.isArray(type) ? type : [type];
}

function coerceScalar(value: unknown, schema: Schema | undefined): unknown {
  if (typeof value !== 'string') return value;
  const wanted = types(schema);
  if (wanted.length === 0 || wanted.includes('string')) return value;
  if (wanted.includes('integer') && INTEGER.test(value) && Number.isSafeInteger(Number(value))) return Number(value);
  if (wanted.includes('number') && NUMBER.test(value)) return Number(value);
  if (wanted.includes('boolean') && (value === 'true' || value === 'false')) return value === 'true';
  return value;
}

/** One value of a params or querystring object, as its property schema asks. */
export function coerceValue(value: unknown, schema: Schema | undefined): unknown {
  if (types(schema).includes('array')) return (Array.isArray(value) ? value : [value]).map((v) => coerceScalar(v, schema?.items));
  return coerceScalar(value, schema);
}

/** Coerces, in place, each property of `data` that `schema` declares. */
export function coerceObject(data: unknown, schema: Schema | undefined): void {
  if (!data || typeof data !== 'object' || !schema?.properties) return;
  const record = data as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    const property = Object.hasOwn(schema.properties, key) ? schema.properties[key] : undefined;
    if (property) record[key] = coerceValue(record[key], property);
  }
}

/** preValidation hook: coerces the request's params and query string by the route's schema. */
export async function coerceParamsAndQuery(request: FastifyRequest): Promise<void> {
  const schema = request.routeOptions.schema as { params?: Schema; querystring?: Schema } | undefined;
  if (!schema) return;
  coerceObject(request.params, schema.params);
  coerceObject(request.query, schema.querystring);
}
