import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { currentUser, requireRole } from '../auth/hooks.ts';
import { decideSampleSchema, drawSampleSchema, getSampleSchema, listSamplesSchema } from './schemas.ts';
import type { SampleService } from './service.ts';

/** Leads and admins draw samples; every signed-in user reads them and decides their comments. */
export async function sampleRoutes(fastify: FastifyInstance, { samples }: { samples: SampleService }): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.post('/api/samples', { schema: drawSampleSchema, preHandler: requireRole('lead') }, async (request) => ({
    sample: samples.draw(request.body, currentUser(request)),
  }));

  app.get('/api/samples', { schema: listSamplesSchema }, async () => ({ samples: samples.list() }));

  app.get('/api/samples/:id', { schema: getSampleSchema }, async (request) => samples.get(request.params.id));

  app.post('/api/samples/:id/decisions', { schema: decideSampleSchema }, async (request) =>
    samples.decide(request.params.id, request.body, currentUser(request)),
  );
}
