/**
 * Journal compaction in PostgreSQL (SPEC §12) against a real PostgreSQL: the database decides for every
 * node which approvals are done with — ended, no lease row, in Done/ or ended before the retention —
 * whatever the compacting node's own live set knows. Plans still held or handed over keep every record.
 */
import { describe, expect, it } from 'vitest';
import { PgJournalStore } from '../../../src/cluster/pg-store.js';
import type { JournalRecord } from '../../../src/journal/records.js';
import { postgresForFile, query } from '../../helpers/cluster-suite.js';

const postgres = postgresForFile();

const at = '2026-12-02T07:00:00.000Z';
const claimed = (claim: string): JournalRecord => ({ type: 'claimed', claim, plan: claim, name: `${claim}.md`, file: `${claim}.md`, hash: 'h', at });
const intent = (claim: string): JournalRecord => ({ type: 'intent', claim, step: 1, key: 'k1', attempt: 1, idempotent: false, at });
const finalized = (claim: string, folder: 'Done' | 'Failed' | 'Needs_Review'): JournalRecord => ({ type: 'finalized', claim, folder, file: `${claim}.md`, at });

describe('journal compaction in the database', () => {
  it('drops ended approvals nobody holds (Done at once, the others after the retention); keeps held, handed-over and live ones', async () => {
    const url = await postgres().createDatabase();
    const day = 86_400_000;
    const [a, b] = ['a', 'b'].map((node) => new PgJournalStore({ url, node, leaseMs: 60_000, retentionMs: 30 * day, acquireLock: async () => ({ release: async () => undefined }) })) as [PgJournalStore, PgJournalStore];
    await a.lock();
    await b.lock();
    try {
      const ended = async (store: PgJournalStore, claim: string, folder: 'Done' | 'Failed' | 'Needs_Review', settle = true) => {
        await store.append(claimed(claim));
        await store.append(intent(claim));
        await store.append(finalized(claim, folder));
        if (settle) await store.settle(claim, true);
      };
      expect(await a.reserve('done', 'bytes-of-done')).toMatchObject({ kind: 'reserved' });
      await ended(a, 'done', 'Done');
      await ended(a, 'failed-recent', 'Failed');
      await ended(b, 'review-old', 'Needs_Review');
      await query(url, `UPDATE journal SET written_at = clock_timestamp() - interval '40 days' WHERE claim = 'review-old'`);
      await ended(b, 'ended-not-let-go', 'Done', false);
      await ended(a, 'in-live-set', 'Done');
      // Node b runs this one: node a's live set does not know it.
      await b.append(claimed('held-by-b'));
      await b.append(intent('held-by-b'));
      // Handed over for another node's server: no holder now, but its row is still there.
      await b.append(claimed('handed'));
      await b.settle('handed', false, { server: 'B', from: 'b' });

      const result = await a.compact(['in-live-set']);
      const left = (await query<{ claim: string }>(url, 'SELECT DISTINCT claim FROM journal ORDER BY claim')).map((row) => row.claim);
      expect(left).toEqual(['ended-not-let-go', 'failed-recent', 'handed', 'held-by-b', 'in-live-set']);
      expect(result.dropped).toBe(6);
      const [count] = await query<{ n: string }>(url, 'SELECT count(*) AS n FROM journal');
      expect(result.kept).toBe(Number(count?.n));
      // The bytes of a compacted approval stay that approval's, also for the node that took them.
      expect(await a.reserve('done-again', 'bytes-of-done')).toMatchObject({ kind: 'copy', approval: 'done' });
      // Another node's live set is its own: for b, in-live-set is done with (its three records go).
      expect((await b.compact([])).dropped).toBe(3);
      expect((await b.compact([])).dropped).toBe(0);
    } finally {
      await a.close();
      await b.close();
    }
  }, 30_000);

  it('a plan left unfinished (its file moved out, its lease gone) is dropped after the retention, as on one host; a recent one is kept', async () => {
    const url = await postgres().createDatabase();
    const store = new PgJournalStore({ url, node: 'a', leaseMs: 60_000, retentionMs: 30 * 86_400_000, acquireLock: async () => ({ release: async () => undefined }) });
    await store.lock();
    try {
      for (const claim of ['left-old', 'left-recent']) {
        expect(await store.reserve(claim, `bytes-${claim}`)).toMatchObject({ kind: 'reserved' });
        await store.append(claimed(claim));
        await store.append(intent(claim));
        await store.settle(claim, true); // its file was found gone: no node holds or waits for it
      }
      await query(url, `UPDATE journal SET written_at = clock_timestamp() - interval '40 days' WHERE claim = 'left-old'`);
      expect((await store.compact([])).dropped).toBe(2);
      const left = (await query<{ claim: string }>(url, 'SELECT DISTINCT claim FROM journal')).map((row) => row.claim);
      expect(left).toEqual(['left-recent']);
      // Its bytes stay that approval's: deliveries are kept, as any compacted approval's.
      expect(await store.reserve('again', 'bytes-left-old')).toMatchObject({ kind: 'copy', approval: 'left-old' });
    } finally {
      await store.close();
    }
  }, 30_000);
});
