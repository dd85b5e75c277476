/**
 * The one duration grammar of the configuration and the command line: a whole or decimal number and a
 * unit (`500ms`, `30s`, `10m`, `1.5h`, `1d`, `2w`). Pure.
 */
const UNIT_MS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
};

const DURATION = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)\s*$/i;

export const DURATION_HINT = 'a number and a unit, such as 30m, 24h or 7d (units ms, s, m, h, d, w)';

/** Milliseconds (at least 1), or undefined when `text` is not a duration. */
export function durationMs(text: string): number | undefined {
  const match = DURATION.exec(text);
  if (!match) return undefined;
  const ms = Math.round(Number(match[1]) * (UNIT_MS[(match[2] as string).toLowerCase()] as number));
  return Number.isSafeInteger(ms) && ms > 0 ? Math.max(1, ms) : undefined;
}

/** Milliseconds, or a one-line error saying what is accepted. */
export function parseDuration(text: string): number {
  const ms = durationMs(text);
  if (ms === undefined) throw new Error(`invalid duration "${text}": use ${DURATION_HINT}`);
  return ms;
}

/** The largest whole unit: 3600000 → "1h", 90000 → "90s", 1500 → "1500ms". */
export function formatDuration(ms: number): string {
  for (const unit of ['d', 'h', 'm', 's'] as const) {
    const size = UNIT_MS[unit] as number;
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}
