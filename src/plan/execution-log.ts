/**
 * The `## Execution Log` section of a plan file: one line per step attempt, appended under the
 * section (created at the end when absent), and read back from where it is written. Pure.
 */
import { cut, formatLocalDateTime, oneLine } from '../core/text.js';
import { findFrontMatter, splitLines, type Line } from './lines.js';

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
  return detail === '' ? head : `${head} — ${cut(detail, 160)}`;
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

/** The last Execution Log heading, and the heading that ends its section (none: the end of the file). */
function logSection(lines: Line[], all: Heading[]): { readonly log: Heading; readonly next: Heading | undefined } | undefined {
  const log = all.filter((h) => LOG_HEADING.test((lines[h.index] as Line).text)).pop();
  return log && { log, next: all.find((h) => h.index > log.index && h.level <= log.level) };
}

/** The lines of the Execution Log section, as appendLog finds it; none without one. */
export function readExecutionLog(text: string): string[] {
  const lines = splitLines(text);
  const section = logSection(lines, headings(lines));
  return section ? lines.slice(section.log.index + 1, section.next?.index ?? lines.length).map((line) => line.text) : [];
}

/** `stepsInBody`: the body's checklist holds the steps, so the log must close its section. */
export function appendLog(lines: Line[], entries: string[], eol: string, stepsInBody = true): void {
  if (entries.length === 0) return;
  const all = headings(lines);
  const section = logSection(lines, all);
  if (section === undefined) {
    // The new section must close the Steps section, or a parser would read log lines as steps.
    const stepsLevels = stepsInBody ? all.filter((h) => /steps/i.test(h.text)).map((h) => h.level) : [];
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
  const { log, next } = section;
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

