import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { JournalWriter } from '../../../src/journal/journal-writer.js';
import { readJournal } from '../../../src/journal/read-journal.js';
import type { JournalRecord } from '../../../src/journal/records.js';
import { useTempDirs } from '../vault/temp-dir.js';

const tempDir = useTempDirs();
const at = '2026-02-16T14:20:30.000Z';
const claimed = (claim: string): JournalRecord => ({ type: 'claimed', claim, plan: claim, file: claim, hash: 'h', at });
const intent = (claim: string, step: number): JournalRecord => ({
  type: 'intent', claim, step, key: `${claim}:${step}:h`, attempt: 1, idempotent: false, at,
});
const finalized = (claim: string): JournalRecord => ({ type: 'finalized', claim, folder: 'Done', file: claim, at });

describe('JournalWriter.compactLive (while the daemon runs)', () => {
  it('drops finished claims, keeps live ones and every append made meanwhile, and shrinks the file', async () => {
    const path = join(await tempDir(), 'journal.jsonl');
    const writer = await JournalWriter.open(path);
    for (let i = 0; i < 20; i += 1) {
      await writer.append(claimed(`old-${i}.md`));
      await writer.append(intent(`old-${i}.md`, 1));
      await writer.append(finalized(`old-${i}.md`));
    }
    await writer.append(claimed('live.md'));
    await writer.append(intent('live.md', 1));
    const before = writer.size;
    // Appends racing the compaction: they must land in the new file, not in the replaced one.
    const racing = [writer.append(intent('live.md', 2)), writer.append(claimed('new.md'))];
    const result = await writer.compactLive(async () => ['live.md', 'new.md']);
    await Promise.all([...racing, writer.append(intent('new.md', 1))]);
    await writer.close();
    const { records } = await readJournal(path);
    expect(records.map((r) => `${r.claim}:${r.type}`)).toEqual([
      'live.md:claimed',
      'live.md:intent',
      'live.md:intent',
      'new.md:claimed',
      'new.md:intent',
    ]);
    expect(result.dropped).toBe(60);
    expect(writer.size).toBeLessThan(before);
  });
});
