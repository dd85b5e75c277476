import { writeFileAtomic } from '../vault/write-file-atomic.js';
import { readJournal, type JournalContents } from './read-journal.js';
import type { JournalRecord } from './records.js';
import type { CompactionResult } from './store.js';

/**
 * Rewrites the journal atomically, keeping only the records of `liveClaims` from each one's latest
 * `claimed` record on (earlier ones are superseded: recoverState starts afresh there). Unreadable lines
 * go too. Call it at start, after recovery and BEFORE opening a JournalWriter: a writer opened earlier
 * would keep appending to the replaced file, and those records would be lost.
 */
export async function compactJournal(path: string, liveClaims: Iterable<string>): Promise<CompactionResult> {
  const { text, result } = compacted(await readJournal(path), liveClaims);
  await writeFileAtomic(path, text, 0o600);
  return result;
}

/** The journal's text once compacted to the `live` claims, and what that keeps and drops. Pure. */
export function compacted(contents: JournalContents, live: Iterable<string>): { text: string; result: CompactionResult } {
  const { records, tornTail, problems } = contents;
  const kept = selectLive(records, new Set(live));
  const total = records.length + problems.length + (tornTail ? 1 : 0);
  return { text: kept.map((record) => `${JSON.stringify(record)}\n`).join(''), result: { kept: kept.length, dropped: total - kept.length } };
}

/**
 * The records of live approvals. Everything of an approval is kept (a re-approval continues what was
 * sent before it); only in journals from before approvals, where a `claimed` record without `name`
 * started a fresh state, is what came before the latest such record dropped. Pure.
 */
function selectLive(records: readonly JournalRecord[], live: ReadonlySet<string>): JournalRecord[] {
  const lastClaimed = new Map<string, number>();
  records.forEach((record, index) => {
    if (record.type === 'claimed' && record.name === undefined) lastClaimed.set(record.claim, index);
  });
  return records.filter(
    (record, index) => live.has(record.claim) && index >= (lastClaimed.get(record.claim) ?? 0),
  );
}
