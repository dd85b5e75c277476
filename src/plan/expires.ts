/**
 * Reads `expires` (SPEC §5: ISO 8601; without a zone it is local time). Hand-written because
 * `Date.parse` reads a date-only value as UTC midnight and accepts loose non-ISO forms depending on
 * the engine. Rules:
 * - `2026-02-17T14:15:30Z`, `…+02:00`, `…+0200`: that instant.
 * - `2026-02-17T14:15:30` or `2026-02-17 14:15`: local time on the machine running the daemon.
 * - `2026-02-17` (date only): the END of that local day (23:59:59.999), so "expires on the 17th"
 *   still allows the 17th.
 * Returns undefined when the value is not such a date.
 */
const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?[ \t]*(Z|z|[+-]\d{2}(?::?\d{2})?)?)?$/;

export function parseExpires(raw: string): Date | undefined {
  const m = ISO.exec(raw.trim());
  if (m === null) return undefined;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return undefined;
  if (h === undefined) return new Date(year, month - 1, day, 23, 59, 59, 999);

  const hour = Number(h);
  const minute = Number(mi);
  const second = s === undefined ? 0 : Number(s);
  const ms = frac === undefined ? 0 : Math.floor(Number(`0.${frac}`) * 1000);
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  if (zone === undefined) return new Date(year, month - 1, day, hour, minute, second, ms);

  let offsetMinutes = 0;
  if (zone.toUpperCase() !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const oh = Number(digits.slice(0, 2));
    const om = digits.length > 2 ? Number(digits.slice(2)) : 0;
    if (oh > 23 || om > 59) return undefined;
    offsetMinutes = sign * (oh * 60 + om);
  }
  const utc = Date.UTC(year, month - 1, day, hour, minute, second, ms) - offsetMinutes * 60_000;
  const date = new Date(utc);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}
