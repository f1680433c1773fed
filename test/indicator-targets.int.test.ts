import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from './helpers/app.js';

/** Targets are the county's configuration per indicator and year: set by the commission, shown with the values. */
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ residents: 300 });
}, 120_000);
afterAll(async () => t?.close());

describe('indicator targets', () => {
  it('a commission officer sets a county target; it is listed and returned with the values of that year', async () => {
    const put = await t.as('commission.officer')({ method: 'PUT', url: '/api/v1/indicators/county-visit-rate/targets', payload: { divisionCode: '350821', year: 2026, target: 90, note: '县卫健委 2026 年目标' } });
    expect(put.statusCode, put.body).toBe(200);
    expect(put.json()).toEqual({ year: 2026, target: 90, note: '县卫健委 2026 年目标' });
    // Setting it again replaces it (one target per indicator, division and year).
    await t.as('commission.officer')({ method: 'PUT', url: '/api/v1/indicators/county-visit-rate/targets', payload: { divisionCode: '350821', year: 2026, target: 92 } });
    const list = await t.as('commission.officer')({ url: '/api/v1/indicators/county-visit-rate/targets?divisionCode=350821' });
    expect(list.json()).toEqual({ items: [{ year: 2026, target: 92, note: null }] });
    const values = await t.as('commission.officer')({ url: '/api/v1/indicators/county-visit-rate/values?level=county&subject=350821&period=year&from=2025&to=2026' });
    expect(values.statusCode, values.body).toBe(200);
    const byYear = Object.fromEntries((values.json() as { values: { period: string; target: number | null }[] }).values.map((v) => [v.period, v.target]));
    expect(byYear).toEqual({ '2025': null, '2026': 92 });
  });

  it('refuses other roles, unknown indicators and divisions, with clear messages', async () => {
    const admin = await t.as('alliance.admin')({ method: 'PUT', url: '/api/v1/indicators/county-visit-rate/targets', payload: { divisionCode: '350821', year: 2026, target: 95 } });
    expect(admin.statusCode).toBe(403);
    const unknown = await t.as('commission.officer')({ method: 'PUT', url: '/api/v1/indicators/no-such/targets', payload: { divisionCode: '350821', year: 2026, target: 1 } });
    expect(unknown.statusCode).toBe(404);
    const division = await t.as('commission.officer')({ method: 'PUT', url: '/api/v1/indicators/county-visit-rate/targets', payload: { divisionCode: '999999', year: 2026, target: 1 } });
    expect(division.statusCode).toBe(400);
    expect(division.json()).toMatchObject({ path: 'divisionCode' });
    const bad = await t.as('commission.officer')({ method: 'PUT', url: '/api/v1/indicators/county-visit-rate/targets', payload: { divisionCode: '350821', year: 'x', target: 1 } });
    expect(bad.statusCode).toBe(400);
    const reader = await t.as('village.doctor')({ url: '/api/v1/indicators/county-visit-rate/targets?divisionCode=350821' });
    expect(reader.statusCode).toBe(403);
  });
});
