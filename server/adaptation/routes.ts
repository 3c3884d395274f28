import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { currentUser, requireRole } from '../auth/hooks.ts';
import type { SiteModels } from './models.ts';
import { deleteShadowSchema, modelsOverviewSchema, putInForceSchema, putShadowSchema, startTrainingSchema } from './schemas.ts';
import type { AdaptationService } from './service.ts';
import type { ShadowRunner } from './shadow.ts';

export interface ModelRouteOptions {
  adaptation: AdaptationService;
  siteModels: SiteModels;
  /** Null when this server does not score. */
  shadow: ShadowRunner | null;
}

/**
 * The Model screen's API: every signed-in user may read what is in force and
 * how site models compare; only admins train, shadow, promote and roll back.
 */
export async function modelRoutes(fastify: FastifyInstance, { adaptation, siteModels, shadow }: ModelRouteOptions): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.get('/api/models', { schema: modelsOverviewSchema }, async () => ({ ...siteModels.overview(), training: adaptation.job() }));

  app.post('/api/models/training', { schema: startTrainingSchema, preHandler: requireRole('admin') }, async (request, reply) => {
    const user = currentUser(request);
    return reply.status(202).send({ training: adaptation.start({ id: user.id, name: user.username }) });
  });

  // A promotion and a rollback are the same act: put this model in force, for this reason.
  app.put('/api/models/in-force', { schema: putInForceSchema, preHandler: requireRole('admin') }, async (request) => {
    const { model, reason, version } = request.body;
    return siteModels.promote({ model, reason, expectedVersion: version }, currentUser(request));
  });

  app.put('/api/models/shadow', { schema: putShadowSchema, preHandler: requireRole('admin') }, async (request) => {
    siteModels.startShadow(request.body.model);
    shadow?.wake();
    return { shadow: request.body.model };
  });

  app.delete('/api/models/shadow', { schema: deleteShadowSchema, preHandler: requireRole('admin') }, async () => ({ stopped: siteModels.stopShadow() }));
}
