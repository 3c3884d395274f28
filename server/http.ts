import { Type, type Static, type TEnum, type TObject, type TSchema } from 'typebox';
import { LABELS, type Label } from './scoring/labels.ts';

/** Every error answer: `{ error: code, message }` (codes in server/errors.ts). */
export const ErrorBody = Type.Object({ error: Type.String(), message: Type.String() }, { additionalProperties: false });

/** The error answers most routes can give, for their `response` schemas. */
export const COMMON_ERRORS = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody } as const;

/**
 * `T | null` as `type: [T, 'null']` rather than anyOf: fast-json-stringify
 * serializes anyOf by validating each value at run time, several times slower.
 */
export const Nullable = <T extends TSchema & { type: string }>(schema: T) =>
  Type.Unsafe<Static<T> | null>({ ...schema, type: [schema.type, 'null'] });

/** One of the seven labels. */
export const LabelSchema = StringEnum(LABELS);

/** An object with one property per label, each of `schema`, and nothing else. */
export function PerLabel<T extends TSchema>(schema: T): TObject<Record<Label, T>> {
  return Type.Object(Object.fromEntries(LABELS.map((l) => [l, schema])) as Record<Label, T>, { additionalProperties: false });
}

/** Path parameter `:id`: a positive integer. */
export const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) }, { additionalProperties: false });

/** A string from a fixed list; the error handler lists the allowed values. */
export function StringEnum<const T extends string[]>(values: readonly [...T]): TEnum<T> {
  return Type.Enum(values);
}

/** A JSON schema validation error, as Ajv (Fastify) and TypeBox's checker both report it. */
export interface SchemaError {
  keyword: string;
  instancePath: string;
  params: Record<string, unknown>;
  message?: string;
}

/** `body/action must be one of approve, hide, escalate`: names the field and what it accepts. */
export function validationMessage(errors: readonly SchemaError[], context: string): string | undefined {
  const v = errors[0];
  if (!v) return undefined;
  const where = `${context}${v.instancePath}`;
  const params = v.params as Record<string, unknown>;
  switch (v.keyword) {
    case 'additionalProperties':
      return `${where}/${String(params.additionalProperty)} is not allowed`;
    case 'boolean':
      // TypeBox's checker: a property the schema does not allow.
      return `${where} is not allowed`;
    case 'required':
      return `${where}/${String(params.missingProperty)} is required`;
    case 'enum':
      return `${where} must be one of ${(params.allowedValues as unknown[]).join(', ')}`;
    case 'const': {
      // A union of literals fails once per branch: list every branch's value.
      const allowed = errors.filter((e) => e.keyword === 'const' && e.instancePath === v.instancePath).map((e) => e.params.allowedValue);
      return `${where} must be one of ${allowed.join(', ')}`;
    }
    case 'type':
      return `${where} must be ${String(params.type).split(',').map(aType).join(' or ')}`;
    case 'minLength':
      return params.limit === 1 ? `${where} must not be empty` : `${where} must be at least ${count(params.limit, 'character')} long`;
    case 'maxLength':
      return `${where} must be at most ${count(params.limit, 'character')} long`;
    case 'minItems':
      return params.limit === 1 ? `${where} must not be empty` : `${where} must have at least ${count(params.limit, 'item')}`;
    case 'maxItems':
      return `${where} must have at most ${count(params.limit, 'item')}`;
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return `${where} must be ${BOUNDS[v.keyword]} ${String(params.limit)}`;
    case 'multipleOf':
      return `${where} must be a multiple of ${String(params.multipleOf)}`;
    case 'pattern':
      return `${where} is not in the expected form`;
    case 'format':
      return `${where} must be ${aFormat(String(params.format))}`;
    case 'minProperties':
      return `${where} must have at least ${count(params.limit, 'field')}`;
    case 'maxProperties':
      return `${where} must have at most ${count(params.limit, 'field')}`;
    case 'uniqueItems':
      return `${where} must not list the same value twice`;
    case 'dependentRequired':
    case 'dependencies':
      return `${where}/${String(params.missingProperty)} is required with ${String(params.property)}`;
    case 'propertyNames':
      return `${where}/${String(params.propertyName)} is not an allowed field name`;
    case 'unevaluatedProperties':
      return `${where}/${String(params.unevaluatedProperty)} is not allowed`;
    default:
      // anyOf, oneOf, not, if…: Ajv's own words ("must match a schema in anyOf") mean nothing to a person.
      return `${where} is not a value this accepts`;
  }
}

const BOUNDS: Record<string, string> = { minimum: 'at least', maximum: 'at most', exclusiveMinimum: 'more than', exclusiveMaximum: 'less than' };

/** A string format as a noun phrase: `a date-time (2026-01-31T12:00:00Z)`. */
function aFormat(format: string): string {
  const named: Record<string, string> = {
    'date-time': 'a date and time such as 2026-01-31T12:00:00Z',
    date: 'a date such as 2026-01-31',
    time: 'a time such as 12:00:00Z',
    email: 'an email address',
    uri: 'an absolute URL',
    url: 'an absolute URL',
    uuid: 'a UUID',
    ipv4: 'an IPv4 address',
    ipv6: 'an IPv6 address',
  };
  return named[format] ?? `in ${format} form`;
}

/** A JSON schema type as a noun: `an integer`, `a string`, `null`. */
function aType(type: string): string {
  if (type === 'null') return 'null';
  return `${/^[aeiou]/.test(type) ? 'an' : 'a'} ${type}`;
}

const count = (n: unknown, noun: string): string => `${String(n)} ${noun}${n === 1 ? '' : 's'}`;

