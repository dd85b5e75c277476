/**
 * Writes the daemon's progress into a plan file (SPEC §5): front-matter fields, `- [x]` ticks and
 * `## Execution Log` lines. Pure text surgery, line by line, because everything else in the file must
 * survive byte for byte — re-serialising the YAML or the markdown would reorder, requote and drop
 * comments. Line endings of untouched lines are kept; added lines use the file's first line ending.
 */
import { oneLine } from '../core/text.js';
import { appendLog } from './execution-log.js';
import { splitFrontMatter } from './front-matter.js';
import { isJsonOpening, setJsonFields } from './json-front-matter.js';
import { isRefusedStatus } from './policy.js';
import { BOM, findFrontMatter, frontMatterLineCount, joinLines, splitLines, type Line } from './lines.js';
import { tick } from './ticks.js';

export interface PlanFileUpdate {
  /** Front-matter scalars to set (`status`, `completed_at`, `error`, …); null removes the field. */
  readonly fields?: Readonly<Record<string, string | null>>;
  /** 1-based file lines whose `- [ ]` becomes `- [x]`. */
  readonly tickLines?: readonly number[];
  /** Lines appended to the `## Execution Log` section (created when absent). */
  readonly logLines?: readonly string[];
  /** False for plans whose steps are not a body checklist: the log heading is then always `##`. */
  readonly stepsInBody?: boolean;
}

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
  setFields(lines, keepRefusedStatus(text, update.fields ?? {}), eol);
  appendLog(lines, (update.logLines ?? []).map(oneLine), eol, update.stepsInBody ?? true);
  return joinLines(lines);
}

/**
 * `rejected` and `draft` are a human's word and are never written over (SPEC §7): the daemon's outcome
 * then stands in its own fields (`failed_at`, `error`, …), so no move of the file launders the status.
 */
const MAY_HOLD_REFUSED = /rejected|draft|\\/i;

function keepRefusedStatus(text: string, fields: Readonly<Record<string, string | null>>): Readonly<Record<string, string | null>> {
  if (!Object.hasOwn(fields, 'status')) return fields;
  // A refused status is spelled out somewhere in the text, or hidden behind an escape: without either,
  // skip the YAML parse (it was a third of a rewrite's CPU, once per progress write).
  if (!MAY_HOLD_REFUSED.test(text)) return fields;
  const front = splitFrontMatter(text);
  if (!front.ok || !isRefusedStatus(front.value.data.status)) return fields;
  const { status: _kept, ...rest } = fields;
  return rest;
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

