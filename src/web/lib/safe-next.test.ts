import { describe, expect, it } from 'vitest';
import { safeNext } from './safe-next.js';

describe('safeNext', () => {
  it('keeps paths of this site', () => {
    expect(safeNext('/patients?q=%E5%BC%A0')).toBe('/patients?q=%E5%BC%A0');
    expect(safeNext('/network/organizations/o-1?tab=staff')).toBe('/network/organizations/o-1?tab=staff');
  });
  it('sends everything else home', () => {
    for (const bad of [null, '', 'https://evil.example', '//evil.example/x', '/\\evil.example', '/login', '/login?next=/x', 'patients']) {
      expect(safeNext(bad)).toBe('/');
    }
  });
});
