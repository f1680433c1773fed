import { describe, expect, it } from 'vitest';
import { oneOf, patchSearchParams } from './use-list-params.js';

describe('patchSearchParams', () => {
  it('sets, removes and returns to page 1 when a filter changes', () => {
    const prev = new URLSearchParams('q=张&tier=village-clinic&page=3');
    const next = patchSearchParams(prev, { q: '李', tier: '' }, true);
    expect(next.toString()).toBe(new URLSearchParams('q=李').toString());
  });
  it('keeps the page when the patch is the page itself', () => {
    const next = patchSearchParams(new URLSearchParams('q=a'), { page: 2 }, true);
    expect(next.get('page')).toBe('2');
    expect(next.get('q')).toBe('a');
  });
});

describe('oneOf', () => {
  it('accepts only listed codes', () => {
    expect(oneOf('male', ['male', 'female'] as const)).toBe('male');
    expect(oneOf('x', ['male', 'female'] as const)).toBeUndefined();
    expect(oneOf(undefined, ['male'] as const)).toBeUndefined();
  });
});
