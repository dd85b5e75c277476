/** `--since` values: a whole number and a unit, `30m`, `24h`, `7d` (also `s` and `w`). Pure. */

const UNIT_MS: Readonly<Record<string, number>> = {
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
};

/** Milliseconds, or a one-line error saying what is accepted. */
export function parseDuration(text: string): number {
  const match = /^\s*(\d+)\s*([smhdw])\s*$/i.exec(text);
  const ms = match ? Number(match[1]) * (UNIT_MS[(match[2] as string).toLowerCase()] as number) : NaN;
  if (!Number.isSafeInteger(ms) || ms <= 0) {
    throw new Error(`invalid duration "${text}": use a number and a unit, such as 30m, 24h or 7d (units s, m, h, d, w)`);
  }
  return ms;
}
