/**
 * The sites' API as OpenAPI (server/integrations/openapi.ts): served without
 * a session or key, generated from the route schemas, listing every /api/v1/
 * route the app registers and nothing else.
 */
import type { FastifyInstance, RouteOptions } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Type } from 'typebox';
import { Nullable } from '../../server/http.ts';
import { API_KEY_SCHEME, OPENAPI_URL, PUBLIC_API_PREFIX } from '../../server/integrations/openapi.ts';
import { buildTestApp, signIn } from '../helpers/app.ts';

interface Operation {
  security?: unknown;
  requestBody?: { content: Record<string, { schema: unknown }> };
  responses: Record<string, { content?: Record<string, { schema: unknown }> }>;
}
interface Document {
  openapi: string;
  info: { title: string; version: string; description?: string };
  paths: Record<string, Record<string, Operation>>;
  components: { securitySchemes: Record<string, { type: string; scheme?: string; description?: string }> };
  security: Record<string, string[]>[];
}

let app: FastifyInstance;
let registered: RouteOptions[];

beforeEach(async () => {
  registered = [];
  app = await buildTestApp({ onRoute: (route) => void registered.push(route) });
});
afterEach(() => app.close());

async function getDocument(): Promise<Document> {
  const res = await app.inject({ url: OPENAPI_URL });
  expect(res.statusCode, res.body).toBe(200);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  return res.json();
}

/** `METHOD /url` of every registered route but HEAD (the document leaves those out). */
function registeredOperations(): { method: string; url: string; access: unknown }[] {
  return registered.flatMap((r) =>
    (Array.isArray(r.method) ? r.method : [r.method]).filter((m) => m !== 'HEAD').map((method) => ({ method, url: r.url, access: r.config?.access })),
  );
}

/** Every key anywhere in a JSON value. */
function keysOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(keysOf);
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => [k, ...keysOf(v)]);
  return [];
}

describe('GET /api/v1/openapi.json', () => {
  it('is served without a session or a key, and with either', async () => {
    const doc = await getDocument();
    expect(doc.openapi).toMatch(/^3\.[01]\.\d+$/);
    expect(doc.info.title).toBe('Triage site API');
    expect(doc.info.version).toMatch(/^1\./);
    expect(doc.info.description).toBeTruthy();

    const { cookie } = await signIn(app, 'moderator');
    expect((await app.inject({ url: OPENAPI_URL, headers: { cookie } })).json()).toEqual(doc);
    expect((await app.inject({ url: OPENAPI_URL, headers: { authorization: 'Bearer trk_not-a-key' } })).json()).toEqual(doc);
  });

  it('sends the whole generated document', async () => {
    expect(await getDocument()).toEqual(JSON.parse(JSON.stringify(app.swagger())));
  });

  it('asks for an API key as an HTTP bearer token on every route', async () => {
    const doc = await getDocument();
    const scheme = doc.components.securitySchemes[API_KEY_SCHEME];
    expect(scheme).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(scheme.description).toContain('trk_');
    expect(doc.security).toEqual([{ [API_KEY_SCHEME]: [] }]);
    for (const [path, operations] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(operations)) expect(operation.security, `${method} ${path}`).toBeUndefined();
    }
  });

  it('lists every /api/v1/ route the app registers, each a key route, with its responses', async () => {
    const doc = await getDocument();
    const apiRoutes = registeredOperations().filter((r) => r.url.startsWith(PUBLIC_API_PREFIX) && r.url !== OPENAPI_URL);
    expect(apiRoutes.map((r) => `${r.method} ${r.url}`)).toContain('GET /api/v1/source');
    for (const route of apiRoutes) {
      // The document says every route takes a key: so must the route.
      expect(route.access, `${route.method} ${route.url}`).toBe('apiKey');
      const operation = doc.paths[route.url.replace(/:(\w+)/g, '{$1}')]?.[route.method.toLowerCase()];
      expect(operation, `${route.method} ${route.url}`).toBeDefined();
      expect(operation.responses['200'].content?.['application/json'].schema, `${route.method} ${route.url}`).toBeDefined();
      expect(operation.responses['401'], `${route.method} ${route.url}`).toBeDefined();
    }
    expect(Object.values(doc.paths).flatMap(Object.keys)).toHaveLength(apiRoutes.length);
  });

  it('lists no route outside /api/v1/, nor itself', async () => {
    const doc = await getDocument();
    const paths = Object.keys(doc.paths);
    expect(paths.filter((p) => !p.startsWith(PUBLIC_API_PREFIX))).toEqual([]);
    expect(paths).not.toContain(OPENAPI_URL);
    expect(paths.some((p) => p.startsWith('/api/comments') || p.startsWith('/api/auth') || p.startsWith('/api/integrations'))).toBe(false);
    expect(registeredOperations().filter((r) => !r.url.startsWith(PUBLIC_API_PREFIX)).length).toBeGreaterThan(20);
  });

  it('picks up a new /api/v1/ route by itself, with its TypeBox schemas as clean JSON Schema', async () => {
    const body = Type.Object({ text: Type.String({ minLength: 1 }), parent: Type.Optional(Nullable(Type.Integer())) }, { additionalProperties: false });
    const answer = Type.Object({ id: Type.Integer() }, { additionalProperties: false });
    app.post('/api/v1/example/:id', { schema: { params: Type.Object({ id: Type.Integer() }), body, response: { 200: answer } }, config: { access: 'apiKey' } }, async () => ({ id: 1 }));
    app.post('/api/example', { schema: { body, response: { 200: answer } } }, async () => ({ id: 1 }));

    const doc = await getDocument();
    const operation = doc.paths['/api/v1/example/{id}']?.post;
    expect(operation).toBeDefined();
    expect(operation.requestBody?.content['application/json'].schema).toEqual({
      type: 'object',
      required: ['text'],
      properties: { text: { type: 'string', minLength: 1 }, parent: { type: ['integer', 'null'] } },
      additionalProperties: false,
    });
    expect(operation.responses['200'].content?.['application/json'].schema).toEqual(JSON.parse(JSON.stringify(answer)));
    expect(doc.paths['/api/example']).toBeUndefined();
    // No TypeBox marker (`~kind`, `~optional`) and nothing JSON cannot carry.
    expect(keysOf(doc).filter((k) => k.startsWith('~'))).toEqual([]);
    expect(JSON.parse(JSON.stringify(app.swagger()))).toEqual(doc);
  });
});
