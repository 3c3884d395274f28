/**
 * Every refusal of a request's shape reads as a sentence a moderator can act
 * on: Ajv's own words ("must NOT have fewer than 8 characters", "must match a
 * schema in anyOf") never reach the screen.
 */
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { validationMessage, type SchemaError } from '../../server/http.ts';
import { buildTestApp, signIn } from '../helpers/app.ts';

/** Ajv's phrasing, which must never be passed on. */
const AJV_WORDS = /must NOT|must match|must be [<>=]|must be equal|must pass|must have required|must be valid|must have property|anyOf|oneOf|allOf/;

const ajv = new Ajv({ allErrors: false, strict: false });
addFormats.default(ajv);

/** One schema per keyword, and a value each refuses. */
const CASES: [string, object, unknown, RegExp][] = [
  ['type', { type: 'object', properties: { n: { type: 'integer' } } }, { n: 'x' }, /^body\/n must be an integer$/],
  ['required', { type: 'object', required: ['name'] }, {}, /^body\/name is required$/],
  ['additionalProperties', { type: 'object', additionalProperties: false }, { x: 1 }, /^body\/x is not allowed$/],
  ['enum', { enum: ['a', 'b'] }, 'c', /^body must be one of a, b$/],
  ['const', { const: 'a' }, 'b', /^body must be one of a$/],
  ['minLength', { type: 'string', minLength: 8 }, 'short', /^body must be at least 8 characters long$/],
  ['minLength 1', { type: 'string', minLength: 1 }, '', /^body must not be empty$/],
  ['maxLength', { type: 'string', maxLength: 2 }, 'long', /^body must be at most 2 characters long$/],
  ['minItems', { type: 'array', minItems: 2 }, [1], /^body must have at least 2 items$/],
  ['maxItems', { type: 'array', maxItems: 1 }, [1, 2], /^body must have at most 1 item$/],
  ['minimum', { type: 'number', minimum: 1 }, 0, /^body must be at least 1$/],
  ['maximum', { type: 'number', maximum: 1 }, 2, /^body must be at most 1$/],
  ['exclusiveMinimum', { type: 'number', exclusiveMinimum: 0 }, 0, /^body must be more than 0$/],
  ['exclusiveMaximum', { type: 'number', exclusiveMaximum: 1 }, 1, /^body must be less than 1$/],
  ['multipleOf', { type: 'number', multipleOf: 5 }, 7, /^body must be a multiple of 5$/],
  ['pattern', { type: 'string', pattern: '^[a-z]+$' }, 'A!', /^body is not in the expected form$/],
  ['format', { type: 'string', format: 'date-time' }, 'yesterday', /^body must be a date and time such as/],
  ['format email', { type: 'string', format: 'email' }, 'nobody', /^body must be an email address$/],
  ['minProperties', { type: 'object', minProperties: 1 }, {}, /^body must have at least 1 field$/],
  ['maxProperties', { type: 'object', maxProperties: 1 }, { a: 1, b: 2 }, /^body must have at most 1 field$/],
  ['uniqueItems', { type: 'array', uniqueItems: true }, [1, 1], /^body must not list the same value twice$/],
  ['dependencies', { type: 'object', dependencies: { from: ['to'] } }, { from: 1 }, /^body\/to is required with from$/],
  ['propertyNames', { type: 'object', propertyNames: { pattern: '^[a-z]+$' } }, { B: 1 }, /^body/],
  ['anyOf', { anyOf: [{ type: 'string' }, { type: 'number', minimum: 5 }] }, true, /^body/],
  ['oneOf', { oneOf: [{ type: 'number' }, { type: 'integer' }] }, 1, /^body is not a value this accepts$/],
  ['not', { not: { type: 'string' } }, 'x', /^body is not a value this accepts$/],
  ['if', { if: { type: 'number' }, then: { minimum: 3 } }, 1, /^body must be at least 3$/],
];

describe('validationMessage', () => {
  for (const [name, schema, value, expected] of CASES) {
    it(`says in words what ${name} wants`, () => {
      const validate = ajv.compile(schema);
      expect(validate(value)).toBe(false);
      const message = validationMessage(validate.errors as SchemaError[], 'body');
      expect(message).toMatch(expected);
      expect(message).not.toMatch(AJV_WORDS);
    });
  }

  it('never passes on an unknown keyword\'s own message', () => {
    const message = validationMessage([{ keyword: 'someNewKeyword', instancePath: '/x', params: {}, message: 'must NOT be so' }], 'query');
    expect(message).toBe('query/x is not a value this accepts');
  });
});

describe('refusals through the API', () => {
  it('answers a too-short password, a bad role and an unknown field with sentences', async () => {
    const app = await buildTestApp();
    try {
      const { cookie } = await signIn(app, 'admin');
      for (const payload of [
        { username: 'x', password: '', role: 'moderator' },
        { username: 'x', password: 'a long enough password', role: 'boss' },
        { username: 'x', password: 'a long enough password', role: 'moderator', extra: 1 },
        { username: '', password: 'a long enough password', role: 'moderator' },
      ]) {
        const res = await app.inject({ method: 'POST', url: '/api/users', headers: { cookie }, payload });
        expect(res.statusCode, JSON.stringify(payload)).toBe(400);
        expect(res.json().message).not.toMatch(AJV_WORDS);
      }
      const weak = await app.inject({ method: 'POST', url: '/api/users', headers: { cookie }, payload: { username: 'x', password: 'short', role: 'moderator' } });
      expect(weak.statusCode).toBe(400);
      expect(weak.json().message).not.toMatch(AJV_WORDS);
    } finally {
      await app.close();
    }
  });
});
