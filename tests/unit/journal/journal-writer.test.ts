import { rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FileHandle } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { boundResult } from '../../../src/events/step-result.js';
import { resultOf } from '../../../src/journal/recover.js';
import { recordOf } from '../../../src/journal/subscriber.js';
import { attemptSucceeded, resolvedStep } from '../../helpers/plan-events.js';
import { JournalWriter, type JournalTrouble } from '../../../src/journal/journal-writer.js';
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

  it('a failed fsync acknowledges nothing, is never retried on that file, and the journal is written whole into a fresh one', async () => {
    const path = join(await tempDir(), 'journal.jsonl');
    const synced: number[] = [];
    const eio = Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' });
    const troubles: JournalTrouble[] = [];
    const writer = await JournalWriter.open(path, {
      onTrouble: (t) => troubles.push(t),
      hooks: {
        sync: async (handle: FileHandle) => {
          const { ino } = await handle.stat();
          synced.push(ino);
          if (synced.length === 2) throw eio; // the second batch's fsync fails
          await handle.datasync();
        },
      },
    });
    await writer.append(intent(1));
    const before = (await stat(path)).ino;
    await Promise.all([writer.append(intent(2)), writer.append(intent(3))]);
    await writer.append(intent(4));
    await writer.close();
    expect(troubles.map((t) => t.kind)).toEqual(['write_failed', 'restored']);
    const after = (await stat(path)).ino;
    expect(after).not.toBe(before); // a fresh inode: pages the failed fsync may have dropped do not matter
    expect(synced.filter((ino) => ino === before)).toHaveLength(2); // the failed file was never fsynced again
    expect((await readJournal(path)).records.map((r) => (r.type === 'intent' ? r.step : 0))).toEqual([1, 2, 3, 4]);
  });

  it('a failed write (ENOSPC) waits instead of losing the records or stopping, then goes on', async () => {
    const path = join(await tempDir(), 'journal.jsonl');
    const enospc = Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
    let writes = 0;
    const troubles: string[] = [];
    const writer = await JournalWriter.open(path, {
      onTrouble: (t) => troubles.push(t.kind === 'write_failed' ? `${t.kind}:${t.code}` : t.kind),
      hooks: {
        write: async (handle, bytes) => {
          writes += 1;
          if (writes === 1) throw enospc;
          await handle.write(bytes);
        },
      },
    });
    await writer.append(intent(1));
    await writer.append(intent(2));
    await writer.close();
    expect(troubles).toEqual(['write_failed:ENOSPC', 'restored']);
    expect((await readJournal(path)).records.map((r) => (r.type === 'intent' ? r.step : 0))).toEqual([1, 2]);
  });

  it('a journal deleted or replaced behind its back is noticed and written back whole, before the next record', async () => {
    const path = join(await tempDir(), 'journal.jsonl');
    const troubles: string[] = [];
    const writer = await JournalWriter.open(path, { onTrouble: (t) => troubles.push(t.kind) });
    await writer.append(intent(1));
    await rm(path);
    writer.check(); // what the store's watcher does when the file goes
    await writer.append(intent(2));
    expect((await readJournal(path)).records).toHaveLength(2);
    await writeFile(`${path}.other`, '{"type":"garbage"}\n');
    await rename(`${path}.other`, path); // a sync client puts its own copy in place
    await writer.append(intent(3));
    await writer.close();
    expect(troubles).toEqual(['deleted', 'restored', 'replaced', 'restored']);
    const { records, problems } = await readJournal(path);
    expect(problems).toEqual([]);
    expect(records.map((r) => (r.type === 'intent' ? r.step : 0))).toEqual([1, 2, 3]);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });

  it('a record whose batch went to a journal deleted or replaced meanwhile is acknowledged only once it is in the new file', async () => {
    const path = join(await tempDir(), 'journal.jsonl');
    const troubles: string[] = [];
    let onDisk: number[] = [];
    const steps = async (): Promise<number[]> => (await readJournal(path)).records.map((r) => (r.type === 'intent' ? r.step : 0));
    const writer = await JournalWriter.open(path, { onTrouble: (t) => troubles.push(t.kind) });
    await writer.append(intent(1));
    // No check() from a watcher: the look at the file that runs alongside the batch's write finds it gone.
    await rm(path);
    await writer.append(intent(2)).then(async () => (onDisk = await steps()));
    expect(onDisk).toEqual([1, 2]);
    await writeFile(`${path}.other`, '{"type":"garbage"}\n');
    await rename(`${path}.other`, path);
    await writer.append(intent(3)).then(async () => (onDisk = await steps()));
    expect(onDisk).toEqual([1, 2, 3]);
    await writer.close();
    expect(troubles).toEqual(['deleted', 'restored', 'replaced', 'restored']);
    expect((await readJournal(path)).problems).toEqual([]);
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
    const event = attemptSucceeded({ plan: { claim: 'plan.md', approval: 'plan.md', id: 'plan' }, step: resolvedStep({ idempotencyKey: 'k' }), attempt: 1 });
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
