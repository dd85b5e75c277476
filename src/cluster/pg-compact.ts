/**
 * Journal compaction in PostgreSQL (SPEC §12). A node's own `live` set knows only the plans it holds,
 * so the database decides, for every node alike, which approvals are done with: those that no lease row
 * names (nobody runs them or waits to take them over) and whose latest record is their end in Done/, or
 * is older than the retention — Failed/, Needs_Review/ and a plan left unfinished (its file moved out of
 * In_Progress/) stay that long, since a human may move one back and it continues its approval, as on
 * one host (daemon/approvals.ts `prune`). Deliveries are kept, marked ended: with no record left to
 * say so, they still make a late copy of those bytes that approval, for every node (pg-deliveries.ts).
 */
import type { Pool } from 'pg';
import type { CompactionResult } from '../journal/store.js';

export async function dropFinished(pool: Pool, live: readonly string[], retentionMs: number): Promise<CompactionResult> {
  const { rows } = await pool.query<{ dropped: string; kept: string }>(
    `WITH ended AS (
       SELECT f.claim FROM journal f
       WHERE NOT (f.claim = ANY($1::text[]))
         AND NOT EXISTS (SELECT 1 FROM claims c WHERE c.claim = f.claim)
         AND NOT EXISTS (SELECT 1 FROM journal later WHERE later.claim = f.claim AND later.seq > f.seq)
         AND ((f.record->>'type' = 'finalized' AND f.record->>'folder' = 'Done') OR f.written_at < clock_timestamp() - $2 * interval '1 millisecond')),
     dropped AS (DELETE FROM journal j USING ended WHERE j.claim = ended.claim RETURNING 1),
     marked AS (UPDATE deliveries SET ended = true WHERE approval IN (SELECT claim FROM ended) RETURNING 1)
     SELECT (SELECT count(*) FROM dropped) AS dropped, (SELECT count(*) FROM journal) - (SELECT count(*) FROM dropped) AS kept`,
    [[...live], retentionMs],
  );
  const row = rows[0];
  return { kept: Number(row?.kept ?? 0), dropped: Number(row?.dropped ?? 0) };
}
