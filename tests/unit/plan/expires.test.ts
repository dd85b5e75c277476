import { describe, expect, it } from 'vitest';
import { parseExpires } from '../../../src/plan/expires.js';

describe('parseExpires', () => {
  it('reads instants with a zone', () => {
    expect(parseExpires('2026-01-08T10:30:00Z')?.toISOString()).toBe('2026-01-08T10:30:00.000Z');
    expect(parseExpires('2026-01-08T10:30:00.250+02:00')?.toISOString()).toBe('2026-01-08T08:30:00.250Z');
    expect(parseExpires('2026-01-08T10:30-0530')?.toISOString()).toBe('2026-01-08T16:00:00.000Z');
    expect(parseExpires('2026-01-08 10:30:00 Z')?.toISOString()).toBe('2026-01-08T10:30:00.000Z');
  });

  it('reads a time without a zone as local time', () => {
    expect(parseExpires('2026-02-17T14:15:30')?.getTime()).toBe(new Date(2026, 1, 17, 14, 15, 30).getTime());
    expect(parseExpires('2026-02-17 14:15')?.getTime()).toBe(new Date(2026, 1, 17, 14, 15).getTime());
  });

  it('reads a date alone as the end of that local day', () => {
    expect(parseExpires('2026-02-17')?.getTime()).toBe(new Date(2026, 1, 17, 23, 59, 59, 999).getTime());
  });

  it.each(['tomorrow', '2026-02-30', '2026-13-01', '2026-02-17T25:00', '2026-02-17T10:61', '17/02/2026', '2026-02-17T10:00+25:00', ''])(
    'refuses %j',
    (raw) => {
      expect(parseExpires(raw)).toBeUndefined();
    },
  );
});
