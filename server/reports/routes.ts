import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { requireRole } from '../auth/hooks.ts';
import type { Db } from '../db/open.ts';
import type { ReadRunner } from '../db/read-worker.ts';
import { summaryCsv } from './export.ts';
import { exportName, resolveFilter } from './filter.ts';
import { summaryHtml } from './html.ts';
import { decisionLogSchema, summarySchema } from './schemas.ts';
import { createReportService } from './service.ts';

export interface ReportRouteOptions {
  db: Db;
  now: () => number;
  model: () => string | null;
  /** Runs the summary off the event loop when the database is a file. */
  reads: ReadRunner;
}

/** Reports and exports are for leads and admins: the decision log holds every moderator's notes. */
export async function reportRoutes(fastify: FastifyInstance, { db, now, model, reads }: ReportRouteOptions): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const reports = createReportService({ db, clock: now, model });

  app.get('/api/reports/summary', { schema: summarySchema, preHandler: requireRole('lead') }, async (request, reply) => {
    const filter = resolveFilter(request.query, now(), 'querystring/');
    const summary = await reads.run('reports.summary', { filter }, { model: model(), now: now() });
    const format = request.query.format ?? 'json';
    if (format === 'csv') {
      reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${exportName('summary', filter, 'csv')}"`);
      return reply.send(summaryCsv(summary));
    }
    if (format === 'html') {
      reply.type('text/html; charset=utf-8').header('content-disposition', `inline; filename="${exportName('summary', filter, 'html')}"`);
      return reply.send(summaryHtml(summary));
    }
    return summary;
  });

  app.get('/api/reports/decisions', { schema: decisionLogSchema, preHandler: requireRole('lead') }, async (request, reply) => {
    const filter = resolveFilter(request.query, now(), 'querystring/');
    const format = request.query.format ?? 'csv';
    reply
      .type(format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8')
      .header('content-disposition', `attachment; filename="${exportName('decisions', filter, format)}"`);
    return reply.send(reports.decisionLog(filter, format));
  });
}
