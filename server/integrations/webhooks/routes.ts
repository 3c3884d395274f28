import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { currentUser, requireRole } from '../../auth/hooks.ts';
import { currentKey, keyRouteOptions } from '../routes.ts';
import { createEndpointSchema, decisionsFeedSchema, deliveriesSchema, deliverySchema, endpointSchema, listEndpointsSchema } from './schemas.ts';
import type { WebhookService } from './service.ts';

export async function webhookRoutes(fastify: FastifyInstance, { webhooks, keyRateLimit }: { webhooks: WebhookService; keyRateLimit: number }): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const admin = requireRole('admin');

  // Admins manage endpoints, signed in (the default access).
  app.get('/api/webhooks', { schema: listEndpointsSchema, preHandler: admin }, async () => ({ endpoints: webhooks.listEndpoints() }));
  app.post('/api/webhooks', { schema: createEndpointSchema, preHandler: admin }, async (request) => webhooks.createEndpoint(request.body, currentUser(request).id));
  app.delete('/api/webhooks/:id', { schema: endpointSchema, preHandler: admin }, async (request) => ({ endpoint: webhooks.deleteEndpoint(request.params.id) }));
  app.post('/api/webhooks/:id/enable', { schema: endpointSchema, preHandler: admin }, async (request) => ({ endpoint: webhooks.enableEndpoint(request.params.id) }));
  app.get('/api/webhooks/:id/deliveries', { schema: deliveriesSchema, preHandler: admin }, async (request) => ({ deliveries: webhooks.deliveries(request.params.id) }));
  app.post('/api/webhooks/:id/test', { schema: deliverySchema, preHandler: admin }, async (request) => ({ delivery: webhooks.sendTest(request.params.id) }));
  app.post('/api/webhooks/deliveries/:id/redeliver', { schema: deliverySchema, preHandler: admin }, async (request) => ({
    delivery: webhooks.redeliver(request.params.id),
  }));

  // Sites, with their key: the same decisions, pulled.
  app.get('/api/v1/decisions', { schema: decisionsFeedSchema, ...keyRouteOptions(keyRateLimit) }, async (request) =>
    webhooks.decisionsAfter(currentKey(request).source, Number(request.query.after ?? 0), request.query.limit ?? 100),
  );
}
