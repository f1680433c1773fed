import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq, isNotNull } from 'drizzle-orm';
import { createTestApp, databaseKind, type TestApp } from './helpers/app.js';
import { organizations, patients, users } from '../src/db/schema/index.js';
import type { ReferralDto, SlotDto } from '../src/contracts/referral.js';

/**
 * A referral's transaction holds one pooled connection; a read that takes a second one from the pool inside it can
 * wait for ever once every connection is held the same way (seen in the benchmark: ten bookings, each in a
 * transaction, each waiting for a facility's name after the reference cache expired). With ONE connection and no
 * reference cache, any such read inside a transaction would stall at once; here the whole loop must complete, and the
 * bounded wait for a connection turns a stall into a 503 instead of a hung server.
 */
let t: TestApp;
let patientId: string;
let countyOrg: string;

beforeAll(async () => {
  t = await createTestApp({ residents: 200, pool: { poolSize: 1, acquireTimeoutMs: 3_000 }, env: { YILIAN_REFERENCE_CACHE_MS: '0' } });
  const db = t.database.db;
  const [vd] = await db.select().from(users).where(eq(users.username, 'village.doctor'));
  const [p] = await db.select().from(patients).where(and(eq(patients.managingOrganizationId, vd!.organizationId!), isNotNull(patients.phone))).limit(1);
  patientId = p!.id;
  const [county] = await db.select().from(organizations).where(eq(organizations.name, '长汀县总医院'));
  countyOrg = county!.id;
}, 120_000);
afterAll(async () => t?.close());

describe.runIf(databaseKind === 'postgres')('one pooled connection, no reference cache (PostgreSQL)', () => {
  it('the closed loop completes: no step reads through the pool while its transaction holds the connection', async () => {
    const post = async (user: string, url: string, payload: object, expected = 200) => {
      const res = await t.as(user)({ method: 'POST', url, payload });
      expect(res.statusCode, `${url}: ${res.body}`).toBe(expected);
      return res.json() as ReferralDto;
    };
    const created = await post('village.doctor', '/api/v1/referrals/up', {
      patientId, destinationOrganizationId: countyOrg, urgency: 'urgent', diagnosisCode: 'I63.9', diagnosisName: '脑梗死',
      reason: '右侧肢体无力', clinicalSummary: '高血压 10 年', medications: [], attachedResults: [],
      consent: { by: '患者本人', method: 'signed-form' }, overrideReason: '家属要求', inOwnCatalogueNote: '基层无 CT',
    }, 201);
    await post('referral.desk', `/api/v1/referrals/${created.id}/transitions`, { action: 'accept' });
    const slotsRes = await t.as('referral.desk')({ url: `/api/v1/slots?forReferralId=${created.id}&status=free&limit=5` });
    expect(slotsRes.statusCode, slotsRes.body).toBe(200);
    const slot = (slotsRes.json() as SlotDto[])[0]!;
    const booked = await post('referral.desk', `/api/v1/referrals/${created.id}/booking`, { slotId: slot.id });
    expect(booked.subState).toBe('scheduled');
    await post('county.specialist', `/api/v1/referrals/${created.id}/transitions`, { action: 'arrive' });
    const done = await post('county.specialist', `/api/v1/referrals/${created.id}/transitions`, { action: 'complete', summary: '急性脑梗死，溶栓后好转' });
    expect(done.status).toBe('completed');
  });
});
