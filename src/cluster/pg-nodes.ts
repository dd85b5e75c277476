/**
 * The cluster's nodes as PostgreSQL knows them (SPEC §12): each node's servers, its last heartbeat
 * and the leases it holds. Read by `servers`, and by a hand-off that finds no live node for a server.
 */
import type { Pool } from 'pg';
import type { ClusterNode } from './leases.js';

/** Every node that ever started on this database, by name; `live` means a heartbeat within two leases. */
export async function clusterNodes(pool: Pool, leaseMs: number): Promise<ClusterNode[]> {
  const { rows } = await pool.query<{ node: string; servers: string[]; heartbeat_at: Date; live: boolean; holds: string[] }>(
    `SELECT nodes.node, nodes.servers, nodes.heartbeat_at,
            nodes.heartbeat_at > clock_timestamp() - 2 * $1 * interval '1 millisecond' AS live,
            coalesce(array_agg(claims.claim ORDER BY claims.claim) FILTER (WHERE claims.claim IS NOT NULL), '{}') AS holds
     FROM nodes LEFT JOIN claims ON claims.node = nodes.node AND claims.expires_at > clock_timestamp()
     GROUP BY nodes.node ORDER BY nodes.node`,
    [leaseMs],
  );
  return rows.map((row) => ({ node: row.node, servers: row.servers, heartbeatAt: row.heartbeat_at, live: row.live, holds: row.holds }));
}
