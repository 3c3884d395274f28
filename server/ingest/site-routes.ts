import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { Compile } from 'typebox/compile';
import { currentKey, keyRouteOptions } from '../integrations/routes.ts';
import { siteCommentsSchema } from './schemas.ts';
import type { SiteIngest } from './site.ts';

// The route's schema documents each comment (OpenAPI); Fastify checks only the
// envelope, so that one bad comment is refused on its own instead of failing the batch.
const envelope = Compile(Type.Object({ comments: Type.Array(Type.Unknown(), { minItems: 1 }) }, { additionalProperties: false }));

export async function siteIngestRoutes(fastify: FastifyInstance, { site, keyRateLimit }: { site: SiteIngest; keyRateLimit: number }): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.post(
    '/api/v1/comments',
    {
      schema: siteCommentsSchema,
      ...keyRouteOptions(keyRateLimit),
      validatorCompiler: () => (data: unknown) => (envelope.Check(data) ? { value: data } : { error: [...envelope.Errors(data)] }),
    },
    async (request) => site.receive(currentKey(request).source, request.body.comments),
  );
}
