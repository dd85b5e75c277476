/**
 * Leases changing hands in PostgreSQL (SPEC §12): taking expired leases with a new fencing token, and
 * letting one go — deleted when its plan is finished, else expired at once, optionally marked for a node
 * that has the server its next step needs (placement), with the plan file as its node last wrote it.
 */
import type { Pool } from 'pg';
import type { HandOff } from './leases.js';

interface TakeExpired {
  readonly node: string;
  readonly limit: number;
  readonly leaseMs: number;
  /** At start a node also takes back its own leases, left by an earlier process — except these. */
  readonly atStart: boolean;
  readonly held: readonly string[];
  /** This node's servers: a lease handed over for another server is not taken here. */
  readonly servers: readonly string[];
}

interface Taken {
  readonly claim: string;
  readonly token: string;
  readonly handOff?: HandOff;
}

export async function takeExpired(pool: Pool, take: TakeExpired): Promise<Taken[]> {
  const { rows } = await pool.query<{ claim: string; token: string; needs: string | null; handed_by: string | null; file_hash: string | null }>(
    `WITH expired AS (
       SELECT claim, needs, handed_by, file_hash FROM claims
       WHERE (needs IS NULL OR needs = ANY($6::text[]))
         AND (expires_at < clock_timestamp() OR ($3::boolean AND node = $1 AND NOT (claim = ANY($4::text[]))))
       ORDER BY expires_at LIMIT $2 FOR UPDATE SKIP LOCKED)
     UPDATE claims SET node = $1, token = nextval('fencing_tokens'), expires_at = clock_timestamp() + $5 * interval '1 millisecond',
       needs = NULL, handed_by = NULL, file_hash = NULL
     FROM expired WHERE claims.claim = expired.claim
     RETURNING claims.claim, claims.token, expired.needs, expired.handed_by, expired.file_hash`,
    [take.node, take.limit, take.atStart, [...take.held], take.leaseMs, [...take.servers]],
  );
  return rows.map((row) => ({
    claim: row.claim,
    token: row.token,
    ...(row.needs !== null
      ? { handOff: { server: row.needs, from: row.handed_by ?? 'another node', ...(row.file_hash !== null ? { fileHash: row.file_hash } : {}) } }
      : {}),
  }));
}

/** Lets the lease `token` of `claim` go (only while it is still `node`'s under that token). */
export function letGo(pool: Pool, lease: { readonly claim: string; readonly node: string; readonly token: string }, finished: boolean, handOff?: HandOff): Promise<unknown> {
  if (finished) return pool.query('DELETE FROM claims WHERE claim = $1 AND node = $2 AND token = $3', [lease.claim, lease.node, lease.token]);
  return pool.query(
    `UPDATE claims SET expires_at = clock_timestamp() - interval '1 millisecond', needs = $4, handed_by = $5, file_hash = $6
     WHERE claim = $1 AND node = $2 AND token = $3`,
    [lease.claim, lease.node, lease.token, handOff?.server ?? null, handOff?.from ?? null, handOff?.fileHash ?? null],
  );
}
