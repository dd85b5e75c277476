/**
 * The claim of a file in Approved/, decided in PostgreSQL before the file is moved (SPEC §12: the vault
 * may be one shared folder or a synced copy per node). With a copy per node a sync client delivers the
 * same approval to every node's Approved/, and each node's rename happens in its own copy, so the rename
 * decides nothing. What is the same everywhere is the file's bytes: their hash is the delivery, and the
 * first node to take a delivery takes the approval's lease with it, in one transaction. Any later file
 * with the same bytes — the copy in another vault, a sync client's conflict copy, a late copy after the
 * run ended — is that approval, taken already: its node leaves it where it is.
 */
import type { Pool } from 'pg';
import type { Reservation } from './leases.js';
import { TAKE_LEASE, transaction } from './pg-shared.js';

/** The advisory-lock namespace of deliveries (moves use 716_017, the migrations 716_016). */
const DELIVERY_LOCKS = 716_018;

/**
 * Takes `delivery` (the bytes' hash) for `approval` and the approval's lease (free, or expired) for
 * `node`; or says who took the delivery, or who holds the lease. A delivery stays taken for good once its
 * approval has a record, except while it has neither a lease row nor a record since it was taken: then
 * its node died between this and the move, and the bytes are free for that node (which finds the file
 * still in its Approved/ after its restart) and, once it has been silent for two leases, for any node.
 */
export function reserveDelivery(pool: Pool, node: string, approval: string, delivery: string, leaseMs: number): Promise<Reservation> {
  // A refusal below has written nothing by then: its commit only ends the transaction and its lock.
  return transaction(pool, async (client) => {
    // Serialises the nodes taking the same bytes; each statement below then sees what the other committed.
    await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [DELIVERY_LOCKS, delivery]);
    // Taken: the run is under way or has records, or its bytes' records were compacted (ended), or the node
    // that took them is alive (it finds its file again itself). A node silent for two leases that took them
    // and recorded nothing died between this and the move: another node may take them (exactly one, by the lock).
    const seen = await client.query<{ approval: string; node: string }>(
      `SELECT d.approval, d.node FROM deliveries d WHERE d.content = $1 AND (d.ended
         OR EXISTS (SELECT 1 FROM claims WHERE claims.claim = d.approval)
         OR EXISTS (SELECT 1 FROM journal WHERE journal.claim = d.approval AND journal.written_at >= d.taken_at)
         OR (d.node <> $2 AND EXISTS (SELECT 1 FROM nodes WHERE nodes.node = d.node
               AND nodes.heartbeat_at > clock_timestamp() - 2 * $3 * interval '1 millisecond')))`,
      [delivery, node, leaseMs],
    );
    const taken = seen.rows[0];
    if (taken !== undefined) return { kind: 'copy', approval: taken.approval, node: taken.node };
    const lease = await client.query<{ token: string }>(TAKE_LEASE, [approval, node, leaseMs]);
    const token = lease.rows[0]?.token;
    if (token === undefined) {
      const holder = await client.query<{ node: string }>('SELECT node FROM claims WHERE claim = $1', [approval]);
      return { kind: 'held', node: holder.rows[0]?.node ?? 'another' };
    }
    await client.query(
      `INSERT INTO deliveries (content, approval, node) VALUES ($1, $2, $3)
       ON CONFLICT (content) DO UPDATE SET approval = EXCLUDED.approval, node = EXCLUDED.node, taken_at = clock_timestamp()`,
      [delivery, approval, node],
    );
    return { kind: 'reserved', token };
  });
}

/**
 * The file reserved was gone when its node went to move it (a human or the sync client moved it first):
 * the lease and the delivery are given back together, so the same bytes elsewhere can still be claimed.
 */
export async function releaseDelivery(pool: Pool, node: string, approval: string, token: string): Promise<void> {
  await pool.query(
    `WITH lease AS (DELETE FROM claims WHERE claim = $1 AND node = $2 AND token = $3 RETURNING claim)
     DELETE FROM deliveries WHERE approval IN (SELECT claim FROM lease) AND node = $2`,
    [approval, node, token],
  );
}
