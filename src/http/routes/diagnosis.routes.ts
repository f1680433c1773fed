import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { urgencies } from '../../contracts/codes.js';
import {
  acknowledgeInputSchema, labAmendInputSchema, labReportInputSchema, patientReportsQuerySchema, specimensInputSchema, attachmentQuerySchema, centerDeadlineInputSchema, centerInputSchema, centerPatchSchema,
  criticalListQuerySchema, criticalValueInputSchema, diagnosisListQuerySchema, diagnosisRequestInputSchema, qcInputSchema, readerInputSchema,
  readerPatchSchema, reasonInputSchema, reassignInputSchema, resubmitInputSchema, rosterQuerySchema, shiftInputSchema,
  templateInputSchema, templatePatchSchema,
} from '../../contracts/diagnosis.js';
import { criticalBoardQuerySchema } from '../../contracts/diagnosis.js';
import { specimenReceiveInputSchema } from '../../contracts/diagnosis.js';
import { AppError } from '../../shared/errors.js';
import type { AppDeps } from '../deps.js';
import { contextOf } from '../plugins/auth.js';

const idParam = z.object({ id: z.string().min(1).max(100) });
const sub = <K extends string>(name: K) => z.object({ id: z.string().min(1).max(100) }).extend({ [name]: z.string().min(1).max(100) } as Record<K, z.ZodString>);
/** Largest attachment accepted in one upload (a CT series is uploaded file by file). */
const maxAttachmentBytes = 256 * 1024 * 1024;

/**
 * Shared diagnosis centers: center administration, requests and the worklist, reports, critical values. Registered in
 * its own scope: uploads arrive as raw bytes (application/octet-stream, application/dicom, application/pdf, image/*),
 * parsed to a Buffer here only.
 */
export async function diagnosisRoutes(app: FastifyInstance, deps: AppDeps) {
  for (const type of [['application/octet-stream', 'application/dicom', 'application/pdf', 'text/csv'], /^image\/.+/] as const) {
    app.addContentTypeParser(type as string[] | RegExp, { parseAs: 'buffer', bodyLimit: maxAttachmentBytes }, (_req, body, done) => done(null, body));
  }
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { diagnosis } = deps.services;
  const tags = ['diagnosis'];
  const base = '/api/v1/diagnosis';

  // ---- centers (administration: system admin or the alliance admin of the host's alliance)
  r.get(`${base}/centers`, { schema: { tags, querystring: z.object({ organizationId: z.string().max(100).optional() }) } }, async (request) =>
    diagnosis.listCenters(contextOf(request, deps), request.query),
  );
  r.post(`${base}/centers`, { schema: { tags, body: centerInputSchema } }, async (request, reply) => {
    const dto = await diagnosis.createCenter(contextOf(request, deps), request.body);
    return reply.status(201).header('location', `${base}/centers/${dto.id}`).send(dto);
  });
  r.get(`${base}/centers/:id`, { schema: { tags, params: idParam } }, async (request) => diagnosis.getCenter(contextOf(request, deps), request.params.id));
  r.patch(`${base}/centers/:id`, { schema: { tags, params: idParam, body: centerPatchSchema } }, async (request) =>
    diagnosis.updateCenter(contextOf(request, deps), request.params.id, request.body),
  );
  r.get(`${base}/centers/:id/readers`, { schema: { tags, params: idParam } }, async (request) => diagnosis.listReaders(contextOf(request, deps), request.params.id));
  r.post(`${base}/centers/:id/readers`, { schema: { tags, params: idParam, body: readerInputSchema } }, async (request, reply) =>
    reply.status(201).send(await diagnosis.addReader(contextOf(request, deps), request.params.id, request.body)),
  );
  r.patch(`${base}/centers/:id/readers/:readerId`, { schema: { tags, params: sub('readerId'), body: readerPatchSchema } }, async (request) =>
    diagnosis.updateReader(contextOf(request, deps), request.params.id, request.params.readerId, request.body),
  );
  r.get(`${base}/centers/:id/roster`, { schema: { tags, params: idParam, querystring: rosterQuerySchema } }, async (request) =>
    diagnosis.roster(contextOf(request, deps), request.params.id, request.query.from, request.query.to),
  );
  r.post(`${base}/centers/:id/roster`, { schema: { tags, params: idParam, body: shiftInputSchema } }, async (request, reply) =>
    reply.status(201).send(await diagnosis.addShift(contextOf(request, deps), request.params.id, request.body)),
  );
  r.delete(`${base}/centers/:id/roster/:shiftId`, { schema: { tags, params: sub('shiftId') } }, async (request, reply) => {
    await diagnosis.removeShift(contextOf(request, deps), request.params.id, request.params.shiftId);
    return reply.status(204).send();
  });
  r.get(`${base}/centers/:id/templates`, { schema: { tags, params: idParam, querystring: z.object({ examType: z.string().max(100).optional() }) } }, async (request) =>
    diagnosis.listTemplates(contextOf(request, deps), request.params.id, request.query.examType),
  );
  r.post(`${base}/centers/:id/templates`, { schema: { tags, params: idParam, body: templateInputSchema } }, async (request, reply) =>
    reply.status(201).send(await diagnosis.addTemplate(contextOf(request, deps), request.params.id, request.body)),
  );
  r.patch(`${base}/centers/:id/templates/:templateId`, { schema: { tags, params: sub('templateId'), body: templatePatchSchema } }, async (request) =>
    diagnosis.updateTemplate(contextOf(request, deps), request.params.id, request.params.templateId, request.body),
  );
  r.get(`${base}/centers/:id/deadlines`, { schema: { tags, params: idParam } }, async (request) => diagnosis.centerDeadlines(contextOf(request, deps), request.params.id));
  r.put(`${base}/centers/:id/deadlines`, { schema: { tags, params: idParam, body: centerDeadlineInputSchema } }, async (request) =>
    diagnosis.setCenterDeadline(contextOf(request, deps), request.params.id, request.body),
  );
  r.delete(`${base}/centers/:id/deadlines/:urgency`, { schema: { tags, params: z.object({ id: z.string().min(1).max(100), urgency: z.enum(urgencies) }) } }, async (request) =>
    diagnosis.resetCenterDeadline(contextOf(request, deps), request.params.id, request.params.urgency),
  );

  // ---- requests and the worklist
  r.post(`${base}/requests`, { schema: { tags, body: diagnosisRequestInputSchema } }, async (request, reply) => {
    const dto = await diagnosis.createRequest(contextOf(request, deps), request.body);
    return reply.status(201).header('location', `${base}/requests/${dto.id}`).send(dto);
  });
  r.get(`${base}/requests`, { schema: { tags, querystring: diagnosisListQuerySchema } }, async (request) => diagnosis.list(contextOf(request, deps), request.query));
  r.get(`${base}/requests/:id`, { schema: { tags, params: idParam } }, async (request) => diagnosis.get(contextOf(request, deps), request.params.id));
  r.get(`${base}/requests/:id/timeline`, { schema: { tags, params: idParam } }, async (request) => diagnosis.timeline(contextOf(request, deps), request.params.id));
  r.post(`${base}/requests/:id/claim`, { schema: { tags, params: idParam } }, async (request) => diagnosis.claim(contextOf(request, deps), request.params.id));
  r.post(`${base}/requests/:id/release`, { schema: { tags, params: idParam, body: z.object({ reason: z.string().trim().max(500).optional() }).optional() } }, async (request) =>
    diagnosis.release(contextOf(request, deps), request.params.id, request.body?.reason),
  );
  r.post(`${base}/requests/:id/reassign`, { schema: { tags, params: idParam, body: reassignInputSchema } }, async (request) =>
    diagnosis.reassign(contextOf(request, deps), request.params.id, request.body),
  );
  r.post(`${base}/requests/:id/qc`, { schema: { tags, params: idParam, body: qcInputSchema } }, async (request) =>
    diagnosis.qualityControl(contextOf(request, deps), request.params.id, request.body),
  );
  r.post(`${base}/requests/:id/resubmit`, { schema: { tags, params: idParam, body: resubmitInputSchema } }, async (request) =>
    diagnosis.resubmit(contextOf(request, deps), request.params.id, request.body.note),
  );
  r.post(`${base}/requests/:id/cancel`, { schema: { tags, params: idParam, body: reasonInputSchema } }, async (request) =>
    diagnosis.cancel(contextOf(request, deps), request.params.id, request.body.reason),
  );

  // ---- attachments: raw bytes in, metadata out; size and SHA-256 are computed by the server
  r.post(`${base}/requests/:id/attachments`, { schema: { tags, params: idParam, querystring: attachmentQuerySchema }, bodyLimit: maxAttachmentBytes }, async (request, reply) => {
    const body = request.body;
    const bytes = Buffer.isBuffer(body) ? body : null;
    if (!bytes) throw new AppError('unsupported_media_type', '请以 application/octet-stream、application/dicom、application/pdf 或 image/* 上传文件内容', { path: 'body' });
    const contentType = (request.headers['content-type'] ?? 'application/octet-stream').split(';')[0]!.trim();
    const dto = await diagnosis.addAttachment(contextOf(request, deps), request.params.id, { kind: request.query.kind, fileName: request.query.fileName, contentType }, bytes);
    return reply.status(201).send(dto);
  });
  r.get(`${base}/requests/:id/attachments/:attachmentId`, { schema: { tags, params: sub('attachmentId') } }, async (request, reply) => {
    const file = await diagnosis.readAttachment(contextOf(request, deps), request.params.id, request.params.attachmentId);
    return reply
      .header('content-type', file.contentType)
      .header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(file.fileName)}`)
      .header('cache-control', 'no-store')
      .send(file.bytes);
  });

  r.get(`${base}/requests/:id/imaging`, { schema: { tags, params: idParam } }, async (request) => diagnosis.imaging(contextOf(request, deps), request.params.id));
  r.get(`${base}/requests/:id/attachments/:attachmentId/thumbnail`, { schema: { tags, params: sub('attachmentId') } }, async (request, reply) => {
    const png = await diagnosis.attachmentThumbnail(contextOf(request, deps), request.params.id, request.params.attachmentId);
    // Patient data: the browser may keep it for the session's page only, never a shared cache.
    return reply.header('content-type', 'image/png').header('cache-control', 'private, max-age=300').send(png);
  });
  // the slide viewer's image: PNG/JPEG as uploaded, TIFF shrunk to JPEG (browsers do not draw TIFF)
  r.get(`${base}/requests/:id/attachments/:attachmentId/preview`, { schema: { tags, params: sub('attachmentId') } }, async (request, reply) => {
    const preview = await diagnosis.slidePreview(contextOf(request, deps), request.params.id, request.params.attachmentId);
    return reply.header('content-type', preview.contentType).header('cache-control', 'private, max-age=300').send(preview.bytes);
  });
  r.get(`${base}/requests/:id/attachments/:attachmentId/ecg`, { schema: { tags, params: sub('attachmentId') } }, async (request) =>
    diagnosis.ecgTrace(contextOf(request, deps), request.params.id, request.params.attachmentId),
  );

  // ---- lab: specimens (label sheet issued with them) and the results entered with the report
  r.post(`${base}/requests/:id/specimens`, { schema: { tags, params: idParam, body: specimensInputSchema } }, async (request, reply) =>
    reply.status(201).send(await diagnosis.registerSpecimens(contextOf(request, deps), request.params.id, request.body)),
  );
  r.get(`${base}/requests/:id/lab`, { schema: { tags, params: idParam } }, async (request) => diagnosis.lab(contextOf(request, deps), request.params.id));
  // the lab's receipt (标本签收): by id from the request page, or by a barcode scan at the bench
  r.post(`${base}/requests/:id/specimens/:specimenId/receive`, { schema: { tags, params: sub('specimenId') } }, async (request) =>
    diagnosis.receiveSpecimen(contextOf(request, deps), request.params.id, request.params.specimenId),
  );
  r.post(`${base}/specimens/receive`, { schema: { tags, body: specimenReceiveInputSchema } }, async (request) =>
    diagnosis.receiveSpecimenByBarcode(contextOf(request, deps), request.body.barcode),
  );
  r.get(`${base}/lab/analytes`, { schema: { tags } }, async () => ({ items: diagnosis.labAnalytes() }));

  // ---- the patient's record: released final reports across centers (access: the patient module's rule)
  r.get('/api/v1/patients/:id/diagnosis-reports', { schema: { tags: ['patients', 'diagnosis'], params: idParam, querystring: patientReportsQuerySchema } }, async (request) =>
    diagnosis.patientReports(contextOf(request, deps), request.params.id, request.query),
  );

  // ---- reports (a lab center's report also carries result values)
  r.post(`${base}/requests/:id/report`, { schema: { tags, params: idParam, body: labReportInputSchema } }, async (request) =>
    diagnosis.writeReport(contextOf(request, deps), request.params.id, request.body),
  );
  r.get(`${base}/requests/:id/report.pdf`, { schema: { tags, params: idParam } }, async (request, reply) => {
    const { number, pdf } = await diagnosis.printReport(contextOf(request, deps), request.params.id);
    return reply
      .header('content-type', 'application/pdf')
      .header('content-disposition', `inline; filename*=UTF-8''${encodeURIComponent(`诊断报告-${number}.pdf`)}`)
      .header('cache-control', 'no-store')
      .send(pdf);
  });
  r.post(`${base}/requests/:id/report/sign-off`, { schema: { tags, params: idParam } }, async (request) => diagnosis.signOff(contextOf(request, deps), request.params.id));
  r.post(`${base}/requests/:id/report/return`, { schema: { tags, params: idParam, body: reasonInputSchema } }, async (request) =>
    diagnosis.returnForRevision(contextOf(request, deps), request.params.id, request.body.reason),
  );
  r.post(`${base}/requests/:id/report/amend`, { schema: { tags, params: idParam, body: labAmendInputSchema } }, async (request) =>
    diagnosis.amendReport(contextOf(request, deps), request.params.id, request.body),
  );

  // ---- critical values (危急值)
  r.post(`${base}/requests/:id/critical-values`, { schema: { tags, params: idParam, body: criticalValueInputSchema } }, async (request, reply) =>
    reply.status(201).send(await diagnosis.flagCritical(contextOf(request, deps), request.params.id, request.body.finding)),
  );
  r.get(`${base}/critical-values`, { schema: { tags, querystring: criticalListQuerySchema } }, async (request) => diagnosis.listCriticals(contextOf(request, deps), request.query));
  r.post(`${base}/critical-values/:id/acknowledge`, { schema: { tags, params: idParam, body: acknowledgeInputSchema } }, async (request) =>
    diagnosis.acknowledgeCritical(contextOf(request, deps), request.params.id, request.body),
  );

  // ---- web UI support: the centers I send to and read for; the critical-value board of one side
  r.get(`${base}/my-centers`, { schema: { tags } }, async (request) => diagnosis.myCenters(contextOf(request, deps)));
  r.get(`${base}/critical-values/board`, { schema: { tags, querystring: criticalBoardQuerySchema } }, async (request) =>
    diagnosis.criticalBoard(contextOf(request, deps), request.query),
  );
}
