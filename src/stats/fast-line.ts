/**
 * The fast path of `stats` over lines laid out exactly as formatJsonLine writes them
 * (`{"ts":"<24-char ISO UTC>","event":"…",…}` on one line, no spaces). On a million-line log JSON.parse
 * is most of the cost, so a line is parsed only when a figure may depend on it; everything here is
 * exact for that layout, and any other layout simply takes the JSON.parse path. Pure.
 */

const HEAD = '{"ts":"';
const EVENT_KEY = '","event":"';
const TS_LENGTH = 24;
const EVENT_KEY_AT = HEAD.length + TS_LENGTH;
const EVENT_AT = EVENT_KEY_AT + EVENT_KEY.length;

interface LineHead {
  readonly ts: string;
  readonly tsMs: number;
  readonly event: string;
}

/** One-entry memo of a day's midnight: lines come in time order, so the day rarely changes. */
interface DayMemo {
  day: string;
  ms: number;
}

export function newDayMemo(): DayMemo {
  return { day: '', ms: NaN };
}

/** `ts` and `event` read by position, or undefined when the line is not in our layout. */
export function sniffHead(line: string, memo: DayMemo): LineHead | undefined {
  if (!line.startsWith(HEAD) || !line.startsWith(EVENT_KEY, EVENT_KEY_AT)) return undefined;
  const ts = line.slice(HEAD.length, EVENT_KEY_AT);
  const tsMs = isoUtcToMs(ts, memo);
  if (Number.isNaN(tsMs)) return undefined;
  const end = line.indexOf('"', EVENT_AT);
  return end === -1 ? undefined : { ts, tsMs, event: line.slice(EVENT_AT, end) };
}

/**
 * Could this line change a figure (classify.ts)? Attempts always can; DONE only with status deferred,
 * AUDIT only with a final folder as status. The substring tests cannot miss: in our layout (no spaces)
 * such a field appears verbatim, and inside a string value its quotes would be escaped.
 */
export function mayChangeFigure(event: string, line: string): boolean {
  switch (event) {
    case 'CALL':
    case 'SUCCESS':
    case 'DEDUPLICATED':
    case 'RETRY':
    case 'FAILED':
      return true;
    case 'DONE':
      return line.includes('"status":"deferred"');
    case 'AUDIT':
      return line.includes('"status":"Done"') || line.includes('"status":"Failed"') || line.includes('"status":"Needs_Review"');
    default:
      return false;
  }
}

/**
 * A cheap test that a line was written whole: it closes its object, and no second line start is glued
 * into it (what a torn write followed by the next append looks like). A raw `{"ts":"` after the start
 * can otherwise only be a nested key; such a line just takes the JSON.parse path.
 */
export function looksWhole(line: string): boolean {
  return line.endsWith('}') && line.indexOf(HEAD, 1) === -1;
}

/** `2026-02-16T14:20:30.123Z` → epoch ms, NaN unless exactly that shape and a real time. */
export function isoUtcToMs(ts: string, memo: DayMemo): number {
  if (ts.length !== TS_LENGTH || ts[4] !== '-' || ts[7] !== '-' || ts[10] !== 'T' || ts[13] !== ':') return NaN;
  if (ts[16] !== ':' || ts[19] !== '.' || ts[23] !== 'Z') return NaN;
  const day = ts.slice(0, 10);
  if (memo.day !== day) {
    // Date.parse checks the date part's digits and ranges; NaN stays NaN below.
    memo.day = day;
    memo.ms = /^\d{4}-\d{2}-\d{2}$/.test(day) ? Date.parse(`${day}T00:00:00.000Z`) : NaN;
  }
  const hours = digits2(ts, 11);
  const minutes = digits2(ts, 14);
  const seconds = digits2(ts, 17);
  const millis = digits2(ts, 20) * 10 + digit(ts, 22);
  if (!(hours <= 23 && minutes <= 59 && seconds <= 59 && millis >= 0)) return NaN;
  return memo.ms + ((hours * 60 + minutes) * 60 + seconds) * 1000 + millis;
}

/** A digit's value, or NaN (which every comparison above rejects). */
function digit(text: string, at: number): number {
  const value = text.charCodeAt(at) - 48;
  return value >= 0 && value <= 9 ? value : NaN;
}

function digits2(text: string, at: number): number {
  return digit(text, at) * 10 + digit(text, at + 1);
}
