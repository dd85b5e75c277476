/**
 * Small text helpers shared by every layer that prints for people: one line, cut to a length. Pure.
 * Split-and-trim rather than a `\s*\n\s*` regex, which backtracks quadratically on long blank runs.
 */

const LINE_BREAKS = /[\r\n\u2028\u2029]+/;

/** Line breaks (and the blanks around them) become one space; the ends are trimmed. */
export function oneLine(text: string): string {
  return text
    .split(LINE_BREAKS)
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .join(' ');
}

/** Every run of white space becomes one space: for table cells and one-line summaries. */
export function squash(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/**
 * At most `max` characters (code points, never half a surrogate pair), ending in `…` when cut.
 * `marker: 'count'` ends in `…(+N chars)` instead, so a reader knows how much is missing.
 */
export function cut(text: string, max: number, marker: 'ellipsis' | 'count' = 'ellipsis'): string {
  if (text.length <= max) return text;
  const chars = Array.from(text);
  if (chars.length <= max) return text;
  if (marker === 'count') return `${chars.slice(0, max).join('')}…(+${chars.length - max} chars)`;
  return `${chars.slice(0, Math.max(0, max - 1)).join('')}…`;
}

/** The last non-empty line of `text`, cut to `max` characters: what a crashed server said last. */
export function lastLine(text: string, max = 300): string {
  const lines = text.trim().split('\n');
  return cut((lines[lines.length - 1] ?? '').trim(), max);
}

/** The message of anything thrown. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The value of a JSON text; undefined when it is not JSON (a torn line, a half-written file). */
export function jsonOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Anything thrown, as an Error: for a callback that reports one. */
export function errorOf(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

/**
 * Text that reaches a terminal (`tail -f` of the log) or a rendered note must not carry control
 * characters: an ESC sequence in a plan id could retitle or clear the reader's terminal, and bidi
 * overrides could disguise a file name. They are shown as `\uXXXX` instead. Pure.
 */
const UNPRINTABLE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/gu;

export function hasUnprintable(text: string): boolean {
  UNPRINTABLE.lastIndex = 0;
  return UNPRINTABLE.test(text);
}

export function escapeUnprintable(text: string): string {
  return text.replace(UNPRINTABLE, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** `2026-02-16 14:20:30` in the machine's local time: what people reading logs and plans expect. */
export function formatLocalDateTime(date: Date): string {
  const pad = (n: number): string => String(n).padStart(2, '0');
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ` +
    `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`
  );
}

/** `2026-02-16` in the machine's local time: the day of a log's day file, of "done today". */
export function localDay(date: Date): string {
  return formatLocalDateTime(date).slice(0, 10);
}
