import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import {
  bookBedInputSchema, bookSlotInputSchema, completeCareTaskSchema, downReferralInputSchema, referralListQuerySchema,
  referralTransitionSchema, resendInputSchema, upReferralInputSchema,
} from '../../contracts/referral.js';
import { PdfFontMissingError, renderAdmissionNotice, renderReferralSlip } from '../../modules/referral/index.js';
import { AppError } from '../../shared/errors.js';
import type { AppDeps } from '../deps.js';
import { contextOf } from '../plugins/auth.js';

const idParam = z.object({ id: z.string().min(1).max(100) });

/** Two-way referral: create, move, book, worklists, timeline, care tasks, printable slip. */
export function referralRoutes(app: FastifyInstance, deps: AppDeps) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { referrals } = deps.services;
  const tags = ['referrals'];

  r.post('/api/v1/referrals/up', { schema: { tags, body: upReferralInputSchema } }, async (request, reply) => {
    const dto = await referrals.createUp(contextOf(request, deps), request.body);
    return reply.status(201).header('location', `/api/v1/referrals/${dto.id}`).send(dto);
  });
  r.post('/api/v1/referrals/down', { schema: { tags, body: downReferralInputSchema } }, async (request, reply) => {
    const dto = await referrals.createDown(contextOf(request, deps), request.body);
    return reply.status(201).header('location', `/api/v1/referrals/${dto.id}`).send(dto);
  });
  r.get('/api/v1/referrals', { schema: { tags, querystring: referralListQuerySchema } }, async (request) => referrals.list(contextOf(request, deps), request.query));
  r.get('/api/v1/referrals/counts', { schema: { tags, querystring: referralListQuerySchema } }, async (request) => referrals.counts(contextOf(request, deps), request.query));
  r.get('/api/v1/referrals/:id', { schema: { tags, params: idParam } }, async (request) => referrals.get(contextOf(request, deps), request.params.id));
  r.get('/api/v1/referrals/:id/timeline', { schema: { tags, params: idParam } }, async (request) => referrals.timeline(contextOf(request, deps), request.params.id));
  r.post('/api/v1/referrals/:id/transitions', { schema: { tags, params: idParam, body: referralTransitionSchema } }, async (request) =>
    referrals.transition(contextOf(request, deps), request.params.id, request.body),
  );
  r.post('/api/v1/referrals/:id/resend', { schema: { tags, params: idParam, body: resendInputSchema } }, async (request, reply) => {
    const dto = await referrals.resend(contextOf(request, deps), request.params.id, request.body);
    return reply.status(201).header('location', `/api/v1/referrals/${dto.id}`).send(dto);
  });
  r.post('/api/v1/referrals/:id/booking', { schema: { tags, params: idParam, body: bookSlotInputSchema } }, async (request) =>
    referrals.bookSlot(contextOf(request, deps), request.params.id, request.body.slotId),
  );
  r.delete('/api/v1/referrals/:id/booking', { schema: { tags, params: idParam, querystring: z.object({ reason: z.string().trim().max(500).default('取消预约') }) } }, async (request) =>
    referrals.unbook(contextOf(request, deps), request.params.id, request.query.reason),
  );
  r.post('/api/v1/referrals/:id/bed', { schema: { tags, params: idParam, body: bookBedInputSchema } }, async (request) =>
    referrals.bookBed(contextOf(request, deps), request.params.id, request.body.bedPoolId, request.body.day),
  );
  /** Printable referral slip (转诊单) and admission notice (入院通知单), A4 PDF with CJK fonts. */
  for (const [path, render, name] of [
    ['slip.pdf', renderReferralSlip, '转诊单'],
    ['admission-notice.pdf', renderAdmissionNotice, '入院通知单'],
  ] as const) {
    r.get(`/api/v1/referrals/:id/${path}`, { schema: { tags, params: idParam } }, async (request, reply) => {
      const ctx = contextOf(request, deps);
      const referral = await referrals.get(ctx, request.params.id);
      let pdf: Buffer;
      try {
        pdf = await render(referral, { printedAt: ctx.clock.now(), printedBy: ctx.actor.username });
      } catch (e) {
        if (e instanceof PdfFontMissingError) throw new AppError('unavailable', e.message);
        throw e;
      }
      const filename = encodeURIComponent(`${name}-${referral.number}.pdf`);
      return reply
        .header('content-type', 'application/pdf')
        .header('content-disposition', `inline; filename*=UTF-8''${filename}`)
        .header('cache-control', 'no-store')
        .send(pdf);
    });
  }
  r.get('/api/v1/care-tasks', { schema: { tags, querystring: z.object({ status: z.enum(['open', 'done', 'all']).default('open') }) } }, async (request) =>
    referrals.careTasks(contextOf(request, deps), request.query.status),
  );
  r.post('/api/v1/care-tasks/:id/complete', { schema: { tags, params: idParam, body: completeCareTaskSchema } }, async (request) =>
    referrals.completeCareTask(contextOf(request, deps), request.params.id, request.body.outcome),
  );
}
