import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { currentKey, keyRouteOptions } from '../integrations/routes.ts';
import { readerReportSchema } from './schemas.ts';
import type { ReaderReports } from './service.ts';

export async function readerReportRoutes(fastify: FastifyInstance, { readerReports, keyRateLimit }: { readerReports: ReaderReports; keyRateLimit: number }): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.post('/api/v1/reports', { schema: readerReportSchema, ...keyRouteOptions(keyRateLimit) }, async (request) => {
    const key = currentKey(request);
    return readerReports.report(key.source, request.body, key.id);
  });
}
