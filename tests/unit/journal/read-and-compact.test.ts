import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compactJournal } from '../../../src/journal/compact.js';
import { JournalWriter } from '../../../src/journal/journal-writer.js';
import { parseJournal, readJournal } from '../../../src/journal/read-journal.js';
import { recoverState } from '../../../src/journal/recover.js';
import type { JournalRecord } from '../../../src/journal/records.js';
import { useTempDirs } from '../vault/temp-dir.js';

const tempDir = useTempDirs();
const at = '2026-02-16T14:20:30.000Z';
const line = (record: JournalRecord) => `${JSON.stringify(record)}\n`;
const claimed = (claim: string, plan = claim): JournalRecord => ({ type: 'claimed', claim, plan, file: claim, hash: 'h', at });
const done = (claim: string): JournalRecord => ({ type: 'finalized', claim, folder: 'Done', file: claim, at });
const success = (claim: string, step: number): JournalRecord => ({
  type: 'outcome', claim, step, key: `${claim}:${step}`, attempt: 1, status: 'succeeded', text: `r${step}`, at,
});

describe('readJournal', () => {
  it('a missing journal is empty', async () => {
    expect(await readJournal(join(await tempDir(), 'none.jsonl'))).toEqual({ records: [], tornTail: false, problems: [] });
  });

  it('tolerates a torn last line and keeps everything before it', async () => {
    const path = join(await tempDir(), 'journal.jsonl');
    await writeFile(path, line(claimed('a.md')) + line(success('a.md', 1)) + '{"type":"outcome","claim":"a.md","st');
    const { records, tornTail, problems } = await readJournal(path);
    expect(records).toHaveLength(2);
    expect(tornTail).toBe(true);
    expect(problems).toEqual([]);
  });

  it('accepts a complete last record that lacks only its newline', () => {
    const { records, tornTail } = parseJournal(line(claimed('a.md')).trimEnd());
    expect(records).toHaveLength(1);
    expect(tornTail).toBe(false);
  });

  it('skips and reports a bad line in the middle, naming the line', () => {
    const text = line(claimed('a.md')) + 'garbage\n' + '{"type":"intent","claim":"a.md"}\n' + line(success('a.md', 1));
    const { records, problems, tornTail } = parseJournal(text, 'journal.jsonl');
    expect(records.map((r) => r.type)).toEqual(['claimed', 'outcome']);
    expect(tornTail).toBe(false);
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/^journal\.jsonl line 2: not valid JSON/);
    expect(problems[1]).toMatch(/^journal\.jsonl line 3: not a journal record \(step:/);
  });

  it('an unknown error_type does not cost a succeeded-or-failed outcome', () => {
    const record = { ...success('a.md', 1), status: 'failed', error_type: 'from_the_future' };
    const { records, problems } = parseJournal(`${JSON.stringify(record)}\n`);
    expect(problems).toEqual([]);
    expect(records[0]).toMatchObject({ type: 'outcome', status: 'failed', error_type: undefined });
  });
});

describe('compactJournal', () => {
  it('keeps only live claims, from their latest claim on, and recovery sees the same live state', async () => {
    const vault = await tempDir();
    const path = join(vault, 'state', 'journal.jsonl');
    const writer = await JournalWriter.open(path);
    const records: JournalRecord[] = [
      claimed('old.md'), success('old.md', 1), done('old.md'),
      claimed('live.md', 'first-plan'), success('live.md', 1), done('live.md'),
      claimed('live.md', 'second-plan'), success('live.md', 1), success('live.md', 2),
    ];
    for (const record of records) await writer.append(record);
    await writer.close();
    await writeFile(path, (await readFile(path, 'utf8')) + 'torn{');

    const before = recoverState((await readJournal(path)).records).get('live.md');
    const result = await compactJournal(path, ['live.md']);
    expect(result).toEqual({ kept: 3, dropped: 7 });
    const after = await readJournal(path);
    expect(after.tornTail).toBe(false);
    expect(after.problems).toEqual([]);
    expect(after.records.map((r) => r.type)).toEqual(['claimed', 'outcome', 'outcome']);
    expect(recoverState(after.records).get('live.md')).toEqual(before);
    expect(before?.plan).toBe('second-plan');
  });

  it('with no live claims leaves an empty journal a writer can append to', async () => {
    const path = join(await tempDir(), 'journal.jsonl');
    await writeFile(path, line(claimed('a.md')) + line(done('a.md')));
    await compactJournal(path, new Set());
    expect(await readFile(path, 'utf8')).toBe('');
    const writer = await JournalWriter.open(path);
    await writer.append(claimed('b.md'));
    await writer.close();
    expect((await readJournal(path)).records).toHaveLength(1);
  });
});
