import type { SwaggerOptions } from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';

/** Where the public API's routes live; only they go in the document. */
export const PUBLIC_API_PREFIX = '/api/v1/';
/** Where the document is served. */
export const OPENAPI_URL = `${PUBLIC_API_PREFIX}openapi.json`;
/** The name of the API key's security scheme in the document. */
export const API_KEY_SCHEME = 'apiKey';

/**
 * @fastify/swagger's options: an OpenAPI 3.1 document of the routes under
 * /api/v1/ (the sites' API, server/integrations/), generated from their
 * schemas. Every other route (the dashboard's) is left out, whoever adds it.
 * 3.1 because our schemas are JSON Schema: `Nullable` writes `type: [T, 'null']`.
 * Registered before any route, so that its onRoute hook sees them all.
 */
export const OPENAPI_OPTIONS: SwaggerOptions = {
  openapi: {
    openapi: '3.1.0',
    info: {
      title: 'Triage site API',
      version: '1.0.0',
      description:
        'The API the sites Triage moderates call, from their servers. Every route needs an API key, ' +
        'sent as `Authorization: Bearer KEY`; an admin creates one per site in the dashboard or with ' +
        '`npx triage keys create`. Errors answer `{ error, message }`.',
    },
    components: {
      securitySchemes: {
        [API_KEY_SCHEME]: {
          type: 'http',
          scheme: 'bearer',
          description: 'An API key (`trk_` and 43 characters), shown once when it is created.',
        },
      },
    },
    // Every route in the document is a key route (`access: 'apiKey'`; test/integrations/openapi.test.ts checks).
    security: [{ [API_KEY_SCHEME]: [] }],
  },
  transform: ({ schema, url }) => ({ schema: url.startsWith(PUBLIC_API_PREFIX) ? schema : { ...schema, hide: true }, url }),
};

/** The document is an object of many shapes: its top-level fields are named, the rest passes through as generated. */
const openApiDocument = Type.Object(
  {
    openapi: Type.String(),
    info: Type.Object({ title: Type.String(), version: Type.String() }, { additionalProperties: true }),
    paths: Type.Object({}, { additionalProperties: true }),
    components: Type.Object({}, { additionalProperties: true }),
  },
  { additionalProperties: true },
);

/**
 * GET /api/v1/openapi.json: public, since developers read it before they have
 * a key; not in the document itself (`hide`), which lists only key routes.
 */
export async function openapiRoutes(app: FastifyInstance): Promise<void> {
  app.get(OPENAPI_URL, { schema: { hide: true, response: { 200: openApiDocument } }, config: { access: 'public' } }, async () => app.swagger());
}
