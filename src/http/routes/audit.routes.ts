import type { FastifyInstance } from 'fastify';
import { PassThrough } from 'node:stream';
import { z } from 'zod';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { auditQuerySchema, type AuditEventDto } from '../../contracts/audit.js';
import type { AppDeps } from '../deps.js';
import { contextOf } from '../plugins/auth.js';

const columns: { key: keyof AuditEventDto; header: string; width: number }[] = [
  { key: 'at', header: '时间（北京时间）', width: 22 },
  { key: 'actorUsername', header: '操作人', width: 18 },
  { key: 'organizationName', header: '所属机构', width: 28 },
  { key: 'action', header: '操作', width: 12 },
  { key: 'resourceType', header: '资源类型', width: 14 },
  { key: 'resourceId', header: '资源ID', width: 38 },
  { key: 'patientName', header: '患者', width: 12 },
  { key: 'patientId', header: '患者ID', width: 38 },
  { key: 'basis', header: '访问依据', width: 20 },
  { key: 'outcome', header: '结果', width: 10 },
  { key: 'channel', header: '渠道', width: 8 },
  { key: 'ip', header: 'IP', width: 16 },
];

/** Audit times are stored in UTC and exported in China Standard Time, as the staff reading them expect. */
const cst = (iso: string): string => new Date(Date.parse(iso) + 8 * 3600_000).toISOString().replace('T', ' ').slice(0, 19);
const cell = (e: AuditEventDto, key: keyof AuditEventDto): unknown => (key === 'at' ? cst(e.at) : e[key]);

const csvCell = (v: unknown): string => {
  const s = v === null || v === undefined ? '' : String(v);
  // Formula injection guard for spreadsheets (OWASP CSV injection) plus RFC 4180 quoting.
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
};

export function auditRoutes(app: FastifyInstance, deps: AppDeps) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { audit, identity } = deps.services;
  const tags = ['audit'];

  r.get('/api/v1/audit', { schema: { tags, querystring: auditQuerySchema } }, async (request) => {
    const ctx = contextOf(request, deps);
    return audit.search(ctx, await identity.auditVisibility(ctx.actor, ctx.clock.now()), request.query);
  });

  r.get('/api/v1/audit/export', { schema: { tags, querystring: auditQuerySchema.extend({ format: z.enum(['csv', 'xlsx']).default('csv') }) } }, async (request, reply) => {
    const ctx = contextOf(request, deps);
    const visibility = await identity.auditVisibility(ctx.actor, ctx.clock.now());
    const rows = audit.exportRows(ctx, visibility, request.query);
    // Pull the first batch before answering so a refused export is a clean 403, not a broken download.
    const first = await rows.next();
    const stamp = ctx.clock.now().toISOString().slice(0, 10);
    if (request.query.format === 'csv') {
      const out = new PassThrough();
      reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', `attachment; filename="audit-${stamp}.csv"`);
      void (async () => {
        out.write('\uFEFF' + columns.map((c) => csvCell(c.header)).join(',') + '\r\n');
        const write = (batch: AuditEventDto[]) => {
          for (const e of batch) out.write(columns.map((c) => csvCell(cell(e, c.key))).join(',') + '\r\n');
        };
        if (!first.done) write(first.value);
        for await (const batch of rows) write(batch);
        out.end();
      })().catch((e) => out.destroy(e as Error));
      return reply.send(out);
    }
    const out = new PassThrough();
    reply
      .header('content-type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
      .header('content-disposition', `attachment; filename="audit-${stamp}.xlsx"`);
    void (async () => {
      // exceljs (~8 MB of heap once loaded) comes in with the first spreadsheet export, not at start-up.
      const { default: ExcelJS } = await import('exceljs');
      const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true });
      const ws = wb.addWorksheet('审计日志');
      ws.columns = columns.map((c) => ({ key: c.key, header: c.header, width: c.width }));
      ws.getRow(1).font = { bold: true };
      const write = (batch: AuditEventDto[]) => {
        for (const e of batch) ws.addRow(Object.fromEntries(columns.map((c) => [c.key, cell(e, c.key) ?? ''])) as Record<string, unknown>).commit();
      };
      if (!first.done) write(first.value);
      for await (const batch of rows) write(batch);
      ws.commit();
      await wb.commit();
    })().catch((e) => out.destroy(e as Error));
    return reply.send(out);
  });
}
