import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { requireRole } from '../auth/hooks.ts';
import type { ReadRunner } from '../reads/runner.ts';
import { summaryCsv } from './export.ts';
import { exportName, resolveFilter } from './filter.ts';
import { SUMMARY_HTML_CSP, summaryHtml } from './html.ts';
import { decisionLogSchema, summarySchema } from './schemas.ts';
import type { ReportService } from './service.ts';

export interface ReportRouteOptions {
  reports: ReportService;
  now: () => number;
  /** Runs the summary off the event loop when the database is a file. */
  reads: ReadRunner;
}

/** Reports and exports are for leads and admins: the decision log holds every moderator's notes. */
export async function reportRoutes(fastify: FastifyInstance, { reports, now, reads }: ReportRouteOptions): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.get('/api/reports/summary', { schema: summarySchema, preHandler: requireRole('lead') }, async (request, reply) => {
    const filter = resolveFilter(request.query, now(), 'querystring/');
    const summary = await reads.run('reports.summary', { filter });
    const format = request.query.format ?? 'json';
    if (format === 'csv') {
      reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${exportName('summary', filter, 'csv')}"`);
      return reply.send(summaryCsv(summary));
    }
    if (format === 'html') {
      reply.type('text/html; charset=utf-8').header('content-disposition', `inline; filename="${exportName('summary', filter, 'html')}"`);
      // Its own policy, in place of the dashboard's: the page's inline stylesheet, by hash.
      reply.header('content-security-policy', SUMMARY_HTML_CSP);
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
