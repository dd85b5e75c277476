/**
 * The cluster as a reader outside any daemon sees it (SPEC §12): `servers`, `stats` and the MCP
 * server's `get_plan` on any node. Its own small pool, no lease, no lock; every failure is one
 * ClusterDatabaseError naming host, port and database, never the URL (it holds the password).
 */
import pg, { type Pool } from 'pg';
import type { JournalRecord } from '../journal/records.js';
import type { ClusterNode } from './leases.js';
import { clusterNodes, parseRows, reaching } from './pg-shared.js';

/** What one node did, from the journal's rows it wrote (within `--since` when given). */
export interface NodeCounts {
  readonly node: string;
  /** Steps that succeeded on this node (outcome records `succeeded`). */
  readonly steps: number;
  /** Attempts that failed or ended unknown on this node. */
  readonly failedAttempts: number;
  /** Plans this node settled, by final folder. */
  readonly plans: { readonly done: number; readonly failed: number; readonly needs_review: number };
}

/** A plan's latest run as the database knows it: who owns it, and every record of that approval. */
export interface PlanRun {
  readonly claim: string;
  /** The node holding its lease now; when none does, the node that wrote its latest record. */
  readonly node: string;
  /** Whether `node` holds an unexpired lease on it. */
  readonly held: boolean;
  readonly records: readonly JournalRecord[];
}

export class ClusterReader {
  private readonly pool: Pool;

  constructor(private readonly url: string, private readonly leaseMs: number) {
    this.pool = new pg.Pool({ connectionString: url, max: 2, connectionTimeoutMillis: 5_000, query_timeout: 10_000 });
    this.pool.on('error', () => undefined);
  }

  nodes(): Promise<ClusterNode[]> {
    return reaching(this.url, () => clusterNodes(this.pool, this.leaseMs));
  }

  counts(sinceMs?: number): Promise<NodeCounts[]> {
    return reaching(this.url, async () => {
      const { rows } = await this.pool.query<{ node: string; type: string; what: string | null; n: string }>(
        `SELECT node, record->>'type' AS type, coalesce(record->>'status', record->>'folder') AS what, count(*) AS n
         FROM journal WHERE record->>'type' IN ('outcome', 'finalized') AND ($1::timestamptz IS NULL OR written_at >= $1)
         GROUP BY 1, 2, 3`,
        [sinceMs === undefined ? null : new Date(sinceMs)],
      );
      const byNode = new Map<string, { steps: number; failedAttempts: number; plans: { done: number; failed: number; needs_review: number } }>();
      for (const row of rows) {
        const counts = byNode.get(row.node) ?? { steps: 0, failedAttempts: 0, plans: { done: 0, failed: 0, needs_review: 0 } };
        byNode.set(row.node, counts);
        const n = Number(row.n);
        if (row.type === 'outcome') {
          if (row.what === 'succeeded') counts.steps += n;
          else counts.failedAttempts += n;
        } else if (row.what === 'Done') counts.plans.done += n;
        else if (row.what === 'Failed') counts.plans.failed += n;
        else if (row.what === 'Needs_Review') counts.plans.needs_review += n;
      }
      return [...byNode].map(([node, counts]) => ({ node, ...counts }));
    });
  }

  /** The latest approval claimed under this plan id, with its records; undefined when none was. */
  planRun(id: string): Promise<PlanRun | undefined> {
    return reaching(this.url, async () => {
      const { rows } = await this.pool.query<{ seq: string; node: string; record: unknown; claim: string; holder: string | null; held: boolean | null }>(
        `WITH latest AS (
           SELECT claim FROM journal WHERE record->>'type' = 'claimed' AND record->>'plan' = $1 ORDER BY seq DESC LIMIT 1)
         SELECT journal.seq, journal.node, journal.record, latest.claim, claims.node AS holder, claims.expires_at > clock_timestamp() AS held
         FROM latest JOIN journal ON journal.claim = latest.claim
         LEFT JOIN claims ON claims.claim = latest.claim
         ORDER BY journal.seq`,
        [id],
      );
      const first = rows[0];
      const last = rows.at(-1);
      if (first === undefined || last === undefined) return undefined;
      const held = first.held === true && first.holder !== null;
      return { claim: first.claim, node: held ? (first.holder as string) : last.node, held, records: parseRows(rows).records };
    });
  }

  async close(): Promise<void> {
    await this.pool.end().catch(() => undefined);
  }
}
