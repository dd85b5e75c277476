import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { unlessMissing } from '../core/errno.js';
import { JournalRecordSchema, type JournalRecord } from './records.js';

export interface JournalContents {
  readonly records: JournalRecord[];
  /** The last line was cut short by a crash mid-write: ignored (its append never resolved). */
  readonly tornTail: boolean;
  /** Unreadable lines before the last one, skipped: one message each, naming the line. */
  readonly problems: string[];
}

/** Reads the journal at `path`; a missing file is an empty journal. */
export async function readJournal(path: string): Promise<JournalContents> {
  const text = await unlessMissing(readFile(path, 'utf8'), undefined);
  if (text === undefined) return { records: [], tornTail: false, problems: [] };
  return parseJournal(text, basename(path));
}

/**
 * Parses journal text. The last line without its newline is accepted when it is a whole record and
 * reported as `tornTail` otherwise. A bad line elsewhere (disk corruption, a torn write an earlier run
 * left before appending more) is skipped and listed in `problems`. Pure.
 */
export function parseJournal(text: string, name = 'journal'): JournalContents {
  const lines = text.split('\n');
  const complete = text.endsWith('\n') || text.length === 0;
  const records: JournalRecord[] = [];
  const problems: string[] = [];
  let tornTail = false;
  lines.forEach((line, index) => {
    if (line.trim() === '') return;
    const isLast = index === lines.length - 1;
    const parsed = parseLine(line);
    if (parsed.ok) records.push(parsed.record);
    else if (isLast && !complete) tornTail = true;
    else problems.push(`${name} line ${index + 1}: ${parsed.reason}; line skipped.`);
  });
  return { records, tornTail, problems };
}

type LineResult = { ok: true; record: JournalRecord } | { ok: false; reason: string };

function parseLine(line: string): LineResult {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    return { ok: false, reason: 'not valid JSON' };
  }
  const parsed = JournalRecordSchema.safeParse(json);
  if (parsed.success) return { ok: true, record: parsed.data };
  const issue = parsed.error.issues[0];
  return { ok: false, reason: `not a journal record (${issue?.path.join('.') || 'record'}: ${issue?.message ?? 'invalid'})` };
}
