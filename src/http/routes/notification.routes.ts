import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { markReadSchema, notificationQuerySchema, outboundQuerySchema } from '../../contracts/notification.js';
import type { AppDeps } from '../deps.js';
import { contextOf } from '../plugins/auth.js';

/** The caller's own in-app notifications, and the record of SMS/WeChat messages to patients. */
export function notificationRoutes(app: FastifyInstance, deps: AppDeps) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { notifications } = deps.services;
  const tags = ['notifications'];

  r.get('/api/v1/notifications', { schema: { tags, querystring: notificationQuerySchema } }, async (request) =>
    notifications.listForUser(contextOf(request, deps), request.query),
  );
  r.get('/api/v1/notifications/unread-count', { schema: { tags } }, async (request) => ({
    unread: await notifications.unreadCount(contextOf(request, deps)),
  }));
  r.post('/api/v1/notifications/read', { schema: { tags, body: markReadSchema.nullish() } }, async (request) => ({
    updated: await notifications.markRead(contextOf(request, deps), request.body?.ids),
  }));
  r.get('/api/v1/outbound-messages', { schema: { tags, querystring: outboundQuerySchema } }, async (request) =>
    notifications.listOutbound(contextOf(request, deps), request.query),
  );
}
