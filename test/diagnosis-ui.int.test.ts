import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asc, eq } from 'drizzle-orm';
import { organizations, patients, users } from '../src/db/schema/index.js';
import type { CenterDto, CriticalBoardItemDto, DiagnosisRequestDto, MyCentersDto, ReaderDto } from '../src/contracts/diagnosis.js';
import type { Page } from '../src/shared/pagination.js';
import { createTestApp, databaseKind, type TestApp } from './helpers/app.js';

/**
 * The two endpoints the web UI needs besides the core API: the centers a user sends to and reads for, and the
 * critical-value board of one side (the requester's banner must not count what the user flagged as a reader).
 */
let t: TestApp;
let center: CenterDto;
let countyOrg: string;
let patientId: string;
const json = <T>(res: { statusCode: number; body: string; json(): unknown }, status: number): T => {
  expect(res.statusCode, res.body).toBe(status);
  return res.json() as T;
};

beforeAll(async () => {
  t = await createTestApp({ residents: 150 });
  const db = t.database.db;
  const [county] = await db.select().from(organizations).where(eq(organizations.name, '长汀县总医院'));
  countyOrg = county!.id;
  const [village] = await db.select().from(users).where(eq(users.username, 'village.doctor'));
  const [p] = await db.select().from(patients).where(eq(patients.managingOrganizationId, village!.organizationId!)).orderBy(asc(patients.id)).limit(1);
  patientId = p!.id;
  const [reader] = await db.select().from(users).where(eq(users.username, 'center.reader'));
  center = json<CenterDto>(await t.as('alliance.admin')({ method: 'POST', url: '/api/v1/diagnosis/centers', payload: { organizationId: countyOrg, type: 'ecg', name: '长汀县远程心电诊断中心' } }), 201);
  json<ReaderDto>(await t.as('alliance.admin')({ method: 'POST', url: `/api/v1/diagnosis/centers/${center.id}/readers`, payload: { userId: reader!.id } }), 201);
}, 180_000);

afterAll(async () => {
  await t?.close();
});

describe(`diagnosis UI support on ${databaseKind}`, () => {
  it('runs on the database the suite was asked for', () => {
    if (process.env.YILIAN_EXPECT_DATABASE) expect(t.database.kind).toBe(process.env.YILIAN_EXPECT_DATABASE);
  });

  it('lists the centers serving my facility to requesters and the centers I read for to readers', async () => {
    const township = json<MyCentersDto>(await t.as('township.doctor')({ url: '/api/v1/diagnosis/my-centers' }), 200);
    expect(township.requestable.map((c) => c.id)).toEqual([center.id]);
    expect(township.reading).toEqual([]);
    const reader = json<MyCentersDto>(await t.as('center.reader')({ url: '/api/v1/diagnosis/my-centers' }), 200);
    expect(reader.requestable).toEqual([]);
    expect(reader.reading.map((c) => [c.id, c.dutyHeadNow])).toEqual([[center.id, false]]);
    const admin = json<MyCentersDto>(await t.as('alliance.admin')({ url: '/api/v1/diagnosis/my-centers' }), 200);
    expect(admin).toEqual({ requestable: [], reading: [] });
  });

  it('shows each side its own critical values, with the request facts, until acknowledged', async () => {
    const req = json<DiagnosisRequestDto>(
      await t.as('township.doctor')({
        method: 'POST', url: '/api/v1/diagnosis/requests',
        payload: { centerId: center.id, patientId, modality: 'ECG-12', examType: '常规12导联心电图', urgency: 'emergency', clinicalQuestion: '胸痛' },
      }),
      201,
    );
    json(await t.as('center.reader')({ method: 'POST', url: `/api/v1/diagnosis/requests/${req.id}/claim` }), 200);
    json(await t.as('center.reader')({ method: 'POST', url: `/api/v1/diagnosis/requests/${req.id}/critical-values`, payload: { finding: '急性下壁心梗' } }), 201);

    const open = json<Page<CriticalBoardItemDto>>(await t.as('township.doctor')({ url: '/api/v1/diagnosis/critical-values/board?side=requester&state=open' }), 200);
    expect(open.total).toBe(1);
    expect(open.items[0]).toMatchObject({ requestId: req.id, requestNumber: req.number, finding: '急性下壁心梗', centerName: center.name, patientName: req.patient.name, state: 'open' });
    // A facility that did not request it sees nothing; each side is refused the other's board.
    expect(json<Page<CriticalBoardItemDto>>(await t.as('village.doctor')({ url: '/api/v1/diagnosis/critical-values/board?side=requester' }), 200).total).toBe(0);
    expect((await t.as('center.reader')({ url: '/api/v1/diagnosis/critical-values/board?side=requester' })).statusCode).toBe(403);
    expect((await t.as('township.doctor')({ url: '/api/v1/diagnosis/critical-values/board?side=reader' })).statusCode).toBe(403);
    const bad = await t.as('township.doctor')({ url: '/api/v1/diagnosis/critical-values/board?side=both' });
    expect(bad.statusCode).toBe(400);

    json(await t.as('township.doctor')({ method: 'POST', url: `/api/v1/diagnosis/critical-values/${open.items[0]!.id}/acknowledge`, payload: { receivedBy: '蓝医生', readBack: '急性下壁心梗', actionTaken: '转诊' } }), 200);
    expect(json<Page<CriticalBoardItemDto>>(await t.as('township.doctor')({ url: '/api/v1/diagnosis/critical-values/board?side=requester&state=open' }), 200).total).toBe(0);
    const readerSide = json<Page<CriticalBoardItemDto>>(await t.as('center.reader')({ url: '/api/v1/diagnosis/critical-values/board?side=reader&state=acknowledged' }), 200);
    expect(readerSide.items.map((c) => [c.requestNumber, c.receivedBy, c.requesterOrganizationName])).toEqual([[req.number, '蓝医生', req.requester.organizationName]]);
  });
});
