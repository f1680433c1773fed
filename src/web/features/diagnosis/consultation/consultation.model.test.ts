import { describe, expect, it } from 'vitest';
import { consultationViews, cstInputToIso, isoToCstInput } from './consultation.model.js';

describe('consultation page helpers', () => {
  it('reads datetime-local values as China Standard Time and back', () => {
    expect(cstInputToIso('2026-11-22T10:30')).toBe('2026-11-22T02:30:00.000Z');
    expect(cstInputToIso('2026-11-23T00:15:30')).toBe('2026-11-22T16:15:30.000Z');
    expect(cstInputToIso('')).toBeUndefined();
    expect(cstInputToIso('22/11/2026 10:30')).toBeUndefined();
    expect(isoToCstInput('2026-11-22T16:15:00.000Z')).toBe('2026-11-23T00:15');
  });
  it('offers each role its views', () => {
    expect(consultationViews(['township-doctor'])).toEqual(['sent']);
    expect(consultationViews(['center-reader'])).toEqual(['center', 'expert']);
    expect(consultationViews(['county-specialist'])).toEqual(['sent', 'center', 'expert']);
    expect(consultationViews(['commission-officer'])).toEqual([]);
  });
});
