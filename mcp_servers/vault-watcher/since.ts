/** Parses `recent_changes`'s `since`: an ISO 8601 time, or a duration back from now such as "90m", "24h", "7d". */
const UNIT_MS: Record<string, number> = {
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/** Returns the cut-off time, or undefined when `since` is neither form. */
export function parseSince(since: string, now: Date): Date | undefined {
  const text = since.trim();
  const duration = /^(\d+(?:\.\d+)?)\s*([smhdw])$/i.exec(text);
  if (duration) {
    const amount = Number(duration[1]);
    const unit = UNIT_MS[(duration[2] ?? '').toLowerCase()];
    return unit === undefined ? undefined : new Date(now.getTime() - amount * unit);
  }
  // Require a date-shaped string: Date.parse alone accepts odd inputs like "1".
  if (!/^\d{4}-\d{2}-\d{2}/.test(text)) return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : new Date(ms);
}
