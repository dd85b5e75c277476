import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FileHandle } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { JournalFatalError } from '../../../src/journal/errors.js';
import { boundResult } from '../../../src/events/step-result.js';
import { resultOf } from '../../../src/journal/recover.js';
import { recordOf } from '../../../src/journal/subscriber.js';
import { attemptSucceeded, resolvedStep } from '../../helpers/plan-events.js';
import { JournalWriter } from '../../../src/journal/journal-writer.js';
import { readJournal } from '../../../src/journal/read-journal.js';
import type { JournalRecord } from '../../../src/journal/records.js';
import { useTempDirs } from '../vault/temp-dir.js';

const tempDir = useTempDirs();
const at = '2026-02-16T14:20:30.000Z';

const intent = (step: number): JournalRecord => ({
  type: 'intent', claim: 'plan.md', step, key: `p:${step}:h`, attempt: 1, idempotent: false, at,
});

describe('JournalWriter', () => {
  it('creates the journal and its folder; appended records read back in order', async () => {
    const path = join(await tempDir(), '.orchestrator', 'journal.jsonl');
    const writer = await JournalWriter.open(path);
    await writer.append({ type: 'claimed', claim: 'plan.md', plan: 'P1', file: 'plan.md', hash: 'abc', at });
    await writer.append(intent(1));
    await writer.close();
    const { records, tornTail, problems } = await readJournal(path);
    expect(records.map((r) => r.type)).toEqual(['claimed', 'intent']);
    expect(tornTail).toBe(false);
    expect(problems).toEqual([]);
  });

  it('group commit: N concurrent appends give N records with fewer fsyncs than N', async () => {
    const path = join(await tempDir(), 'journal.jsonl');
    let syncs = 0;
    const writer = await JournalWriter.open(path, {
      hooks: { sync: async (handle: FileHandle) => { syncs++; await handle.datasync(); } },
    });
    const n = 50;
    await Promise.all(Array.from({ length: n }, (_, i) => writer.append(intent(i + 1))));
    await writer.close();
    expect(syncs).toBeLessThan(n);
    const { records } = await readJournal(path);
    expect(records.map((r) => (r.type === 'intent' ? r.step : 0))).toEqual(Array.from({ length: n }, (_, i) => i + 1));
  });

  it('appends arriving while an fsync is in flight share the next single fsync; none resolves early', async () => {
    const path = join(await tempDir(), 'journal.jsonl');
    let syncs = 0;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => { release = resolve; });
    let entered!: () => void;
    const firstSyncStarted = new Promise<void>((resolve) => { entered = resolve; });
    const writer = await JournalWriter.open(path, {
      hooks: {
        sync: async (handle: FileHandle) => {
          syncs++;
          if (syncs === 1) { entered(); await gate; }
          await handle.datasync();
        },
      },
    });
    const settled: number[] = [];
    const first = writer.append(intent(1)).then(() => settled.push(1));
    await firstSyncStarted;
    const later = [2, 3, 4, 5].map((step) => writer.append(intent(step)).then(() => settled.push(step)));
    await new Promise((resolve) => setImmediate(resolve));
    expect(settled).toEqual([]); // nothing acknowledged before its fsync
    release();
    await Promise.all([first, ...later]);
    expect(syncs).toBe(2);
    expect(settled).toEqual([1, 2, 3, 4, 5]);
    await writer.close();
    expect((await readJournal(path)).records).toHaveLength(5);
  });

  it('a failed fsync is permanent: the batch, queued and later appends all reject, and it is never retried', async () => {
    const path = join(await tempDir(), 'journal.jsonl');
    let syncs = 0;
    const eio = Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' });
    const writer = await JournalWriter.open(path, { hooks: { sync: async () => { syncs++; throw eio; } } });
    const batch = [writer.append(intent(1)), writer.append(intent(2))];
    const results = await Promise.allSettled(batch);
    expect(results.every((r) => r.status === 'rejected' && r.reason instanceof JournalFatalError)).toBe(true);
    const later = await writer.append(intent(3)).catch((e: unknown) => e);
    expect(later).toBeInstanceOf(JournalFatalError);
    expect((later as JournalFatalError).code).toBe('EIO');
    expect((later as Error).message).toContain(path);
    expect(writer.failure).toBe(later);
    expect(syncs).toBe(1);
    await writer.close();
  });

  it('a failed write (ENOSPC) is permanent too', async () => {
    const path = join(await tempDir(), 'journal.jsonl');
    const enospc = Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
    const writer = await JournalWriter.open(path, { hooks: { write: async () => { throw enospc; } } });
    await expect(writer.append(intent(1))).rejects.toMatchObject({ name: 'JournalFatalError', code: 'ENOSPC' });
    await expect(writer.append(intent(2))).rejects.toBeInstanceOf(JournalFatalError);
  });

  it('rejects a malformed record without breaking the writer', async () => {
    const path = join(await tempDir(), 'journal.jsonl');
    const writer = await JournalWriter.open(path);
    const bad = { ...intent(1), step: 0 } as JournalRecord;
    await expect(writer.append(bad)).rejects.toThrow(/Not a valid journal record/);
    await writer.append(intent(1));
    await writer.close();
    await expect(writer.append(intent(2))).rejects.toThrow(/closed/);
    expect((await readJournal(path)).records).toHaveLength(1);
  });

  it('keeps results bounded, flagged when cut: bounded once where made, recorded as they are', async () => {
    const path = join(await tempDir(), 'journal.jsonl');
    const writer = await JournalWriter.open(path);
    const result = boundResult('é'.repeat(40_000), { big: 'x'.repeat(70_000) }, 64 * 1024);
    const event = attemptSucceeded({ plan: { claim: 'plan.md', id: 'plan' }, step: resolvedStep({ idempotencyKey: 'k' }), attempt: 1 });
    if (event.type !== 'attempt_ended') throw new Error('expected an attempt end');
    await writer.append(recordOf({ ...event, result: { ok: true, result } }) as JournalRecord);
    await writer.close();
    const [record] = (await readJournal(path)).records;
    expect(record).toMatchObject({ type: 'outcome', text_truncated: true, structured_dropped: true });
    if (record?.type !== 'outcome') throw new Error('expected an outcome');
    expect(Buffer.byteLength(record.text ?? '', 'utf8')).toBeLessThanOrEqual(64 * 1024);
    expect(record.text).toMatch(/^é+$/); // cut on a character boundary
    expect(record.structured).toBeUndefined();
    // What a restart reads back is exactly what the run passed on, flags included.
    expect(resultOf(record)).toEqual(result);
  });

  it('after a crash left a torn line, new records start on a fresh line', async () => {
    const path = join(await tempDir(), 'journal.jsonl');
    await writeFile(path, `${JSON.stringify(intent(1))}\n{"type":"outcome","cla`);
    const writer = await JournalWriter.open(path);
    await writer.append(intent(2));
    await writer.close();
    const { records, problems, tornTail } = await readJournal(path);
    expect(records.map((r) => (r.type === 'intent' ? r.step : 0))).toEqual([1, 2]);
    expect(problems).toHaveLength(1); // the old torn line, now in the middle
    expect(tornTail).toBe(false);
  });
});
