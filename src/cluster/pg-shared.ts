/**
 * What the PostgreSQL store does outside any one lease (SPEC §12): reads the journal's records (all, or
 * by approval), which approvals have a lease row, and the nodes — each node's servers, its last
 * heartbeat and the leases it holds (for `servers`, and for a hand-off that finds no live node for a
 * server); and runs work under a cluster-wide advisory lock, or in one transaction.
 */
import type { Pool, PoolClient } from 'pg';
import { ClusterDatabaseError } from '../journal/errors.js';
import type { JournalContents } from '../journal/read-journal.js';
import { JournalRecordSchema, type JournalRecord } from '../journal/records.js';
import type { ClusterNode } from './leases.js';

/** The advisory-lock namespace of `exclusive` (the migrations use a single-key lock of their own). */
const MOVE_LOCKS = 716_017;

/**
 * Takes the lease of approval $1 for node $2 for $3 ms (a new fencing token), when it is free or expired;
 * returns the token, or no row when another node holds it.
 */
export const TAKE_LEASE = `INSERT INTO claims (claim, node, token, expires_at) VALUES ($1, $2, nextval('fencing_tokens'), clock_timestamp() + $3 * interval '1 millisecond')
  ON CONFLICT (claim) DO UPDATE SET node = EXCLUDED.node, token = EXCLUDED.token, expires_at = EXCLUDED.expires_at, claimed_at = clock_timestamp(),
    needs = NULL, handed_by = NULL
  WHERE claims.expires_at < clock_timestamp()
  RETURNING token`;

/** Runs `work` while no other node runs work under the same key (see ClusterLeases.exclusive). */
export async function exclusive<T>(pool: Pool, key: string, work: () => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query('SELECT pg_advisory_lock($1, hashtext($2))', [MOVE_LOCKS, key]);
    try {
      return await work();
    } finally {
      // A connection that cannot unlock is thrown away: its session's locks go with it.
      await client.query('SELECT pg_advisory_unlock($1, hashtext($2))', [MOVE_LOCKS, key]).catch(() => (broken = true));
    }
  } finally {
    client.release(broken);
  }
}

/** Runs `work` in one transaction on one connection: committed when it returns, rolled back when it throws. */
export async function transaction<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    // A connection that cannot roll back is thrown away: its session's transaction goes with it.
    await client.query('ROLLBACK').catch(() => (broken = true));
    throw error;
  } finally {
    client.release(broken);
  }
}

export async function readJournal(pool: Pool): Promise<JournalContents> {
  const { rows } = await pool.query<{ seq: string; record: unknown }>('SELECT seq, record FROM journal ORDER BY seq');
  return parseRows(rows);
}

/** Every record of these approvals, in order, by approval. */
export async function recordsByClaim(pool: Pool, claims: readonly string[]): Promise<Map<string, JournalRecord[]>> {
  const { rows } = await pool.query<{ seq: string; record: unknown }>('SELECT seq, record FROM journal WHERE claim = ANY($1::text[]) ORDER BY seq', [claims]);
  const byClaim = new Map<string, JournalRecord[]>();
  for (const record of parseRows(rows).records) byClaim.set(record.claim, [...(byClaim.get(record.claim) ?? []), record]);
  return byClaim;
}

/** The node whose lease row an approval has, for a message ('another' when none or unknown). */
export async function holderOf(pool: Pool, claim: string): Promise<string> {
  const { rows } = await pool.query<{ node: string }>('SELECT node FROM claims WHERE claim = $1', [claim]).catch(() => ({ rows: [] }));
  return rows[0]?.node ?? 'another';
}

/** Which of these approvals have a lease row (held or expired). */
export async function leasedAmong(pool: Pool, claims: readonly string[]): Promise<Set<string>> {
  const { rows } = await pool.query<{ claim: string }>('SELECT claim FROM claims WHERE claim = ANY($1::text[])', [claims]);
  return new Set(rows.map((row) => row.claim));
}

/** Every node that ever started on this database, by name; `live` means a heartbeat within two leases. */
export async function clusterNodes(pool: Pool, leaseMs: number): Promise<ClusterNode[]> {
  // What a node holds is shown by plan file name (its latest claim's), the approval when none is known.
  const { rows } = await pool.query<{ node: string; servers: string[]; heartbeat_at: Date; live: boolean; holds: string[] }>(
    `SELECT nodes.node, nodes.servers, nodes.heartbeat_at,
            nodes.heartbeat_at > clock_timestamp() - 2 * $1 * interval '1 millisecond' AS live,
            coalesce(array_agg(coalesce(named.name, claims.claim) ORDER BY claims.claim) FILTER (WHERE claims.claim IS NOT NULL), '{}') AS holds
     FROM nodes
     LEFT JOIN claims ON claims.node = nodes.node AND claims.expires_at > clock_timestamp()
     LEFT JOIN LATERAL (
       SELECT record->>'name' AS name FROM journal
       WHERE journal.claim = claims.claim AND record->>'type' = 'claimed' ORDER BY seq DESC LIMIT 1) AS named ON true
     GROUP BY nodes.node ORDER BY nodes.node`,
    [leaseMs],
  );
  return rows.map((row) => ({ node: row.node, servers: row.servers, heartbeatAt: row.heartbeat_at, live: row.live, holds: row.holds }));
}

export function parseRows(rows: readonly { seq: string; record: unknown }[]): JournalContents {
  const records: JournalRecord[] = [];
  const problems: string[] = [];
  for (const row of rows) {
    const parsed = JournalRecordSchema.safeParse(row.record);
    if (parsed.success) records.push(parsed.data);
    else problems.push(`journal row ${row.seq}: not a journal record; skipped.`);
  }
  return { records, tornTail: false, problems };
}

/** Runs `work`; any failure is one ClusterDatabaseError naming host, port and database, never the URL (it holds the password). */
export async function reaching<T>(url: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw new ClusterDatabaseError(whereOf(url), error);
  }
}

/** `host:port/database` of a connection URL: what a message may say of it (no user, no password). */
export function whereOf(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port || '5432'}${parsed.pathname}`;
  } catch {
    return 'the configured address';
  }
}
