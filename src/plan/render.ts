/**
 * Writes the daemon's progress into a plan file (SPEC §5): front-matter fields, `- [x]` ticks and
 * `## Execution Log` lines. Pure text surgery, line by line, because everything else in the file must
 * survive byte for byte — re-serialising the YAML or the markdown would reorder, requote and drop
 * comments. Line endings of untouched lines are kept; added lines use the file's first line ending.
 */
import { formatLocalDateTime } from '../audit/localTime.js';
import { isJsonOpening, setJsonFields } from './json-front-matter.js';

export interface PlanFileUpdate {
  /** Front-matter scalars to set (`status`, `completed_at`, `error`, …); null removes the field. */
  readonly fields?: Readonly<Record<string, string | null>>;
  /** 1-based file lines whose `- [ ]` becomes `- [x]`. */
  readonly tickLines?: readonly number[];
  /** Lines appended to the `## Execution Log` section (created when absent). */
  readonly logLines?: readonly string[];
}

interface Line {
  text: string;
  eol: string;
}

const BOM = '\uFEFF';

/**
 * Applies `update` to `text`. Idempotent: applying the same update twice changes nothing more.
 * `tickLines` count lines of `linesCountedIn` (default: `text` itself). Pass the text the plan was
 * parsed from when earlier updates may have added or removed front-matter lines since: the body has
 * moved by the difference, and ticking the old number would tick the wrong step.
 */
export function applyPlanUpdate(text: string, update: PlanFileUpdate, linesCountedIn: string = text): string {
  const lines = splitLines(text);
  const firstBreak = text.indexOf('\n');
  const eol = firstBreak > 0 && text[firstBreak - 1] === '\r' ? '\r\n' : '\n';
  // Ticks first: their line numbers refer to the text as given, before fields move lines.
  const fmLines = (findFrontMatter(lines)?.close ?? -1) + 1;
  const countedFmLines = linesCountedIn === text ? fmLines : frontMatterLineCount(linesCountedIn);
  for (const n of update.tickLines ?? []) {
    const line = n > countedFmLines ? lines[n - 1 + fmLines - countedFmLines] : undefined;
    if (line !== undefined) line.text = tick(line.text);
  }
  setFields(lines, update.fields ?? {}, eol);
  appendLog(lines, (update.logLines ?? []).map(oneLine), eol);
  return lines.map((l) => l.text + l.eol).join('');
}

/**
 * How many lines the front matter block takes (delimiters included; 0 without one). Setting fields
 * can change it, which shifts the body's line numbers by the difference.
 */
export function frontMatterLineCount(text: string): number {
  const fm = findFrontMatter(splitLines(text));
  return fm === undefined ? 0 : fm.close + 1;
}

/** `- 2026-02-16 14:20:31 step 2 email-server.send_email attempt 1: success (412 ms) — Sent <id>` */
export function formatExecutionLogLine(e: {
  at: Date;
  server: string;
  tool: string;
  step: number;
  attempt: number;
  outcome: string;
  durationMs: number;
  detail?: string;
}): string {
  const head = `- ${formatLocalDateTime(e.at)} step ${e.step} ${oneLine(`${e.server}.${e.tool}`)} attempt ${e.attempt}: ${oneLine(e.outcome)} (${Math.round(e.durationMs)} ms)`;
  const detail = e.detail === undefined ? '' : oneLine(e.detail);
  return detail === '' ? head : `${head} — ${cutTo(detail, 160)}`;
}

function splitLines(text: string): Line[] {
  if (text === '') return [];
  return text.split(/(?<=\n)/).map((piece) => {
    const eol = piece.endsWith('\r\n') ? '\r\n' : piece.endsWith('\n') ? '\n' : '';
    return { text: piece.slice(0, piece.length - eol.length), eol };
  });
}

/** Index of the closing `---` line, when line 1 opens a YAML front matter (as the parser reads it). */
function findFrontMatter(lines: Line[]): { close: number } | undefined {
  const first = lines[0]?.text.replace(BOM, '');
  if (first === undefined || !(/^---[ \t]*(?:ya?ml[ \t]*)?$/i.test(first) || isJsonOpening(first))) return undefined;
  const close = lines.findIndex((l, i) => i > 0 && l.text.startsWith('---'));
  return close === -1 ? undefined : { close };
}

const CHECKBOX = /^([ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]+\[) \]/;

function tick(text: string): string {
  return text.replace(CHECKBOX, '$1x]');
}

const TOP_LEVEL_KEY = /^(["']?)([A-Za-z_][\w-]*)\1[ \t]*:(?=[ \t]|$)/;

function setFields(lines: Line[], fields: Readonly<Record<string, string | null>>, eol: string): void {
  const entries = Object.entries(fields);
  for (const [key] of entries) {
    if (!/^[A-Za-z_][\w-]*$/.test(key)) throw new Error(`front-matter field name ${JSON.stringify(key)} is not a plain key`);
  }
  if (entries.length === 0) return;
  let fm = findFrontMatter(lines);
  if (fm !== undefined && isJsonOpening((lines[0] as Line).text.replace(BOM, ''))) {
    const json = setJsonFields(lines.slice(1, fm.close).map((l) => l.text), fields);
    if (json !== undefined) {
      lines.splice(1, fm.close - 1, ...json.map((text) => ({ text, eol })));
      return;
    }
    fm = undefined; // unreadable JSON: such a plan is invalid; a YAML block in front carries the status
  }
  if (fm === undefined) {
    if (entries.every(([, value]) => value === null)) return;
    const bom = lines[0]?.text.startsWith(BOM) === true ? BOM : '';
    if (bom !== '' && lines[0] !== undefined) lines[0].text = lines[0].text.slice(1);
    lines.unshift({ text: `${bom}---`, eol }, { text: '---', eol });
    fm = { close: 1 };
  }
  for (const [key, value] of entries) {
    const found = findKeys(lines, fm.close, key);
    const first = found[0];
    // Later duplicates are removed: YAML refuses duplicate keys, so the file could not be read anyway.
    for (const span of found.slice(value === null ? 0 : 1).reverse()) {
      lines.splice(span.start, span.end - span.start);
      fm.close -= span.end - span.start;
    }
    if (value === null) continue;
    const scalar = yamlScalar(value);
    if (first === undefined) {
      lines.splice(fm.close, 0, { text: `${key}: ${scalar}`, eol });
      fm.close += 1;
    } else {
      const line = lines[first.start] as Line;
      const keyPart = TOP_LEVEL_KEY.exec(line.text)?.[0] ?? `${key}:`;
      const comment = first.end - first.start === 1 ? trailingComment(line.text.slice(keyPart.length)) : '';
      line.text = `${keyPart} ${scalar}${comment}`;
      lines.splice(first.start + 1, first.end - first.start - 1);
      fm.close -= first.end - first.start - 1;
    }
  }
}

/** Line spans [start, end) of each `key:` entry in the front matter, continuation lines included. */
function findKeys(lines: Line[], close: number, key: string): { start: number; end: number }[] {
  const spans: { start: number; end: number }[] = [];
  for (let i = 1; i < close; i++) {
    const match = TOP_LEVEL_KEY.exec((lines[i] as Line).text);
    if (match?.[2] !== key) continue;
    const rest = (lines[i] as Line).text.slice(match[0].length).trim();
    const emptyValue = rest === '' || rest.startsWith('#');
    let end = i + 1;
    // Indented lines (and, after an empty value, `- item` lines) belong to the value; blank lines
    // only when more of the value follows them.
    for (let j = i + 1; j < close; j++) {
      const t = (lines[j] as Line).text;
      if (/^[ \t]/.test(t) && t.trim() !== '') end = j + 1;
      else if (emptyValue && /^-(?:[ \t]|$)/.test(t)) end = j + 1;
      else if (t.trim() !== '') break;
    }
    spans.push({ start: i, end });
  }
  return spans;
}

/** ` # comment` after a single-line scalar value, with its spacing; '' when there is none. */
function trailingComment(value: string): string {
  const start = value.length - value.trimStart().length;
  if (value[start] === '#') return value; // `key: # comment`: an empty value
  let i = start;
  const quote = value[i];
  if (quote === '"' || quote === "'") {
    // Skip the quoted scalar: `#` inside it is text, not a comment.
    for (i += 1; i < value.length; i++) {
      if (quote === '"' && value[i] === '\\') i++;
      else if (value[i] === quote && quote === "'" && value[i + 1] === "'") i++;
      else if (value[i] === quote) break;
    }
  }
  const hash = /[ \t]+#/.exec(value.slice(i));
  return hash === null ? '' : value.slice(i + hash.index);
}

const YAML_WORDS = /^(?:y|n|yes|no|on|off|true|false|null)$/i;

/** A one-line YAML scalar: plain when nothing could misread it (YAML 1.1 readers included), else double-quoted. */
export function yamlScalar(value: string): string {
  const text = value.replace(/[ \t]*[\r\n\u2028\u2029]+[ \t]*/g, ' ').trim();
  if (/^[A-Za-z_][\w .,/()-]*$/.test(text) && !/[ ]$/.test(text) && !YAML_WORDS.test(text)) return text;
  return JSON.stringify(text).replace(
    /[\u007f-\u009f\ufffe\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

const LOG_HEADING = /^#{1,6}[ \t]+execution log[ \t]*#*[ \t]*$/i;
const HEADING = /^(#{1,6})(?:[ \t]+(.*))?$/;
const FENCE = /^ {0,3}(`{3,}|~{3,})/;

interface Heading {
  readonly index: number;
  readonly level: number;
  readonly text: string;
}

/** ATX headings of the body, fenced code skipped. */
function headings(lines: Line[]): Heading[] {
  const found: Heading[] = [];
  let fence: string | undefined;
  for (let i = (findFrontMatter(lines)?.close ?? -1) + 1; i < lines.length; i++) {
    const t = (lines[i] as Line).text;
    const f = FENCE.exec(t)?.[1];
    if (f !== undefined && (fence === undefined || (f[0] === fence[0] && f.length >= fence.length))) {
      fence = fence === undefined ? f : undefined;
      continue;
    }
    const h = fence === undefined ? HEADING.exec(t) : null;
    if (h?.[1] !== undefined) found.push({ index: i, level: h[1].length, text: h[2] ?? '' });
  }
  return found;
}

function appendLog(lines: Line[], entries: string[], eol: string): void {
  if (entries.length === 0) return;
  const all = headings(lines);
  const log = all.filter((h) => LOG_HEADING.test((lines[h.index] as Line).text)).pop();
  if (log === undefined) {
    // The new section must close the Steps section, or a parser would read log lines as steps.
    const stepsLevels = all.filter((h) => /steps/i.test(h.text)).map((h) => h.level);
    const level = Math.min(2, ...stepsLevels);
    const last = lines[lines.length - 1];
    const finalEol = last === undefined || last.eol !== '' ? eol : '';
    if (last !== undefined) {
      last.eol = eol;
      if (last.text.trim() !== '') lines.push({ text: '', eol });
    }
    lines.push({ text: `${'#'.repeat(level)} Execution Log`, eol }, { text: '', eol });
    entries.forEach((text, i) => lines.push({ text, eol: i === entries.length - 1 ? finalEol : eol }));
    return;
  }
  const next = all.find((h) => h.index > log.index && h.level <= log.level);
  let after = (next?.index ?? lines.length) - 1;
  while (after > log.index && (lines[after] as Line).text.trim() === '') after--;
  // Re-applying the same update (say, after a crash between writing and recording) adds nothing.
  const tail = lines.slice(Math.max(log.index + 1, after + 1 - entries.length), after + 1).map((l) => l.text);
  if (tail.length === entries.length && tail.every((t, i) => t === entries[i])) return;
  const anchor = lines[after] as Line;
  const finalEol = anchor.eol === '' ? '' : eol;
  anchor.eol = eol;
  lines.splice(after + 1, 0, ...entries.map((text, i) => ({ text, eol: i === entries.length - 1 ? finalEol : eol })));
}

function oneLine(text: string): string {
  return text.replace(/\s*[\r\n\u2028\u2029]+\s*/g, ' ').trim();
}

function cutTo(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}
