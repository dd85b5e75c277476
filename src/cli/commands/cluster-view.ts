/**
 * The cluster as `servers` and `stats` show it when `cluster` is configured (SPEC §12): every node that
 * started on the database, the servers it started, its last heartbeat, and the plans whose lease it
 * holds; for `stats` also what each node did, counted from the journal's rows it wrote. Read over a
 * connection of its own (no lease, no lock); the PostgreSQL client is loaded only here.
 */
import type { ClusterNode } from '../../cluster/leases.js';
import type { NodeCounts } from '../../cluster/pg-reader.js';
import type { Config } from '../../config/schema.js';
import { formatLocalDateTime } from '../../core/text.js';
import { count, formatTable } from '../../stats/table.js';

type ClusterViewNode = ClusterNode & Partial<Omit<NodeCounts, 'node'>>;

interface ClusterView {
  /** This host's node name. */
  readonly node: string;
  readonly nodes: readonly ClusterViewNode[];
}

/** With `counts`, each node also carries what it did (within `sinceMs`, when given). */
export async function readClusterView(cluster: NonNullable<Config['cluster']>, counts?: { readonly sinceMs?: number }): Promise<ClusterView> {
  const { ClusterReader } = await import('../../cluster/pg-reader.js');
  const reader = new ClusterReader(cluster.postgres, cluster.leaseMs);
  try {
    const nodes = await reader.nodes();
    if (counts === undefined) return { node: cluster.node, nodes };
    const done = new Map((await reader.counts(counts.sinceMs)).map(({ node, ...figures }) => [node, figures]));
    const none = { steps: 0, failedAttempts: 0, plans: { done: 0, failed: 0, needs_review: 0 } };
    return { node: cluster.node, nodes: nodes.map((n) => ({ ...n, ...(done.get(n.node) ?? none) })) };
  } finally {
    await reader.close();
  }
}

export function formatClusterTable(view: ClusterView): string[] {
  const counted = view.nodes.some((n) => n.plans !== undefined);
  const figures = (n: ClusterViewNode): string[] =>
    counted ? [count(n.steps ?? 0), count(n.failedAttempts ?? 0), count(n.plans?.done ?? 0), count(n.plans?.failed ?? 0), count(n.plans?.needs_review ?? 0)] : [];
  return formatTable(
    ['NODE', 'STATE', 'SERVERS', 'LAST HEARTBEAT', 'HOLDS', ...(counted ? ['STEPS OK', 'FAILED ATTEMPTS', 'DONE', 'FAILED', 'REVIEW'] : [])],
    view.nodes.map((n) => [
      n.node === view.node ? `${n.node} (this host)` : n.node,
      n.live ? 'live' : 'silent',
      n.servers.length > 0 ? n.servers.join(', ') : '-',
      formatLocalDateTime(n.heartbeatAt),
      n.holds.length > 0 ? n.holds.join(', ') : '-',
      ...figures(n),
    ]),
    ['left', 'left', 'left', 'left', 'left', ...Array<'right'>(counted ? 5 : 0).fill('right')],
  );
}
