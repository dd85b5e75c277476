/**
 * The cluster as `servers` shows it when `cluster` is configured (SPEC §12): every node that started on
 * the database, the servers it started, its last heartbeat, and the plans whose lease it holds. Read
 * over a connection of its own (no lease, no lock); the PostgreSQL client is loaded only here.
 */
import type { ClusterNode } from '../../cluster/leases.js';
import type { Config } from '../../config/schema.js';
import { formatLocalDateTime } from '../../core/text.js';
import { ClusterDatabaseError } from '../../journal/errors.js';
import { formatTable } from '../../stats/table.js';

export interface ClusterView {
  /** This host's node name. */
  readonly node: string;
  readonly nodes: readonly ClusterNode[];
}

export async function readClusterView(cluster: NonNullable<Config['cluster']>): Promise<ClusterView> {
  const { readClusterNodes, whereOf } = await import('../../cluster/pg-shared.js');
  try {
    return { node: cluster.node, nodes: await readClusterNodes(cluster.postgres, cluster.leaseMs) };
  } catch (error) {
    // Never the URL: it holds the password.
    throw new ClusterDatabaseError(whereOf(cluster.postgres), error);
  }
}

export function formatClusterTable(view: ClusterView): string[] {
  return formatTable(
    ['NODE', 'STATE', 'SERVERS', 'LAST HEARTBEAT', 'HOLDS'],
    view.nodes.map((n) => [
      n.node === view.node ? `${n.node} (this host)` : n.node,
      n.live ? 'live' : 'silent',
      n.servers.length > 0 ? n.servers.join(', ') : '-',
      formatLocalDateTime(n.heartbeatAt),
      n.holds.length > 0 ? n.holds.join(', ') : '-',
    ]),
    ['left', 'left', 'left', 'left', 'left'],
  );
}
