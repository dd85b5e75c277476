/**
 * The guard's state shared by every node (SPEC §12), behind execution/guard-store.ts's GuardStore:
 * rate-limited calls are rows of `rate_calls`, counted while the action's `rate_limits` row is locked,
 * so N per window means N across the cluster; each server's breaker is one row of `breakers`, changed
 * only under its row lock, so a breaker opened on one node holds every node back and its half-open
 * probe goes to exactly one. The transitions stay execution/breaker.ts's pure functions: this file only
 * reads a state, applies the one it is handed, and writes the result in the same transaction.
 *
 * Times are the nodes' own clocks (the injected one), as on one host: the nodes are expected to keep
 * their clocks in step (NTP), as the journal's stamps already assume.
 */
import pg from 'pg';
import { closedBreaker, type BreakerState } from '../execution/breaker.js';
import type { BreakerDecision, GuardStore, GuardVerdict } from '../execution/guard-store.js';
import type { Reservation } from '../execution/rate-limit-ledger.js';
import { nextFreeSlot, type RateRule } from '../execution/rate-limit.js';
import { breakerFromRow, breakerRow, sameBreaker } from './breaker-row.js';
import { migrate } from './migrations.js';
import { reaching, transaction } from './pg-shared.js';

interface PgGuardStoreOptions {
  /** The connection URL: a secret, never put into a message. */
  readonly url: string;
  readonly node: string;
  /**
   * A half-open probe unanswered this long is read as given back: its node died mid-call (no call
   * outlives its deadline), and nobody else would ever end it.
   */
  readonly staleProbeMs: number;
  readonly now: () => Date;
  /** A pooled connection failed while idle. */
  readonly onConnectionError?: (error: Error) => void;
}

type Queryable = Pick<pg.PoolClient, 'query'>;

const NOTHING_COUNTED: Reservation = { commit: async () => undefined, cancel: () => undefined };

export class PgGuardStore implements GuardStore {
  private readonly pool: pg.Pool;
  /** Each server's breaker as last read or written here. */
  private readonly seen = new Map<string, BreakerState>();

  constructor(private readonly options: PgGuardStoreOptions) {
    this.pool = new pg.Pool({ connectionString: options.url, max: 4, connectionTimeoutMillis: 5_000, query_timeout: 10_000 });
    this.pool.on('error', (error) => options.onConnectionError?.(error));
  }

  /**
   * Schema up to date; then what a restart means here, as on one host: a latch on this node's servers
   * is lifted (new credentials), and a probe an earlier process of this node held is given back. An
   * open breaker stays open: other nodes saw its failures.
   */
  async open(servers: readonly string[]): Promise<void> {
    await reaching(this.options.url, () => this.reset(servers));
  }

  private async reset(servers: readonly string[]): Promise<void> {
    await migrate(this.pool);
    await this.pool.query(
      `UPDATE breakers SET state = $2, node = $3, changed_at = clock_timestamp() WHERE server = ANY($1::text[]) AND (state->>'latched')::boolean`,
      [[...servers], breakerRow(closedBreaker(this.options.now())), this.options.node],
    );
    await this.pool.query(
      `UPDATE breakers SET state = jsonb_set(state, '{probing}', 'false'), changed_at = clock_timestamp() WHERE node = $1 AND (state->>'probing')::boolean`,
      [this.options.node],
    );
  }

  known(server: string): BreakerState {
    let state = this.seen.get(server);
    if (!state) {
      state = closedBreaker(this.options.now());
      this.seen.set(server, state);
    }
    return state;
  }

  async admit(server: string, rules: readonly RateRule[], atMs: number, decide: BreakerDecision): Promise<GuardVerdict> {
    if (rules.length === 0) {
      // Nothing to count: a breaker that lets the call go unchanged (closed) needs no lock.
      const before = await this.read(this.pool, server, false);
      const after = decide(before);
      if (!after) return { kind: 'held', breaker: before };
      if (sameBreaker(before, after)) return { kind: 'admitted', before, after, reservation: NOTHING_COUNTED };
    }
    return transaction(this.pool, async (client) => {
      const actions = rules.map((rule) => rule.action);
      let ids: string[] = [];
      if (rules.length > 0) {
        const sent = await this.lockAndCount(client, rules, atMs);
        if (rules.some((rule) => nextFreeSlot(sent.get(rule.action) ?? [], rule, atMs) !== undefined)) return { kind: 'full', sent };
      }
      const before = await this.read(client, server, true);
      const after = decide(before);
      if (!after) return { kind: 'held', breaker: before };
      if (!sameBreaker(before, after)) await this.write(client, server, after);
      if (rules.length > 0) {
        const { rows } = await client.query<{ id: string }>(
          'INSERT INTO rate_calls (action, at_ms, node) SELECT unnest($1::text[]), $2, $3 RETURNING id',
          [actions, atMs, this.options.node],
        );
        ids = rows.map((row) => row.id);
      }
      return { kind: 'admitted', before, after, reservation: ids.length === 0 ? NOTHING_COUNTED : this.reservation(ids) };
    });
  }

  async change(server: string, step: (current: BreakerState) => BreakerState): Promise<{ before: BreakerState; after: BreakerState }> {
    // Most outcomes change nothing (a success on a closed breaker): those need no lock.
    const seenBefore = await this.read(this.pool, server, false);
    const unchanged = step(seenBefore);
    if (sameBreaker(seenBefore, unchanged)) return { before: seenBefore, after: unchanged };
    return transaction(this.pool, async (client) => {
      const before = await this.read(client, server, true);
      const after = step(before);
      if (!sameBreaker(before, after)) await this.write(client, server, after);
      this.seen.set(server, after);
      return { before, after };
    });
  }

  async close(): Promise<void> {
    await this.pool.end().catch(() => undefined);
  }

  /**
   * Locks the rules' rows (in name order, so two nodes never deadlock), forgets calls that left their
   * window, and reads the ones inside it. Later statements of the transaction see every call counted
   * by whoever held the locks before.
   */
  private async lockAndCount(client: Queryable, rules: readonly RateRule[], atMs: number): Promise<Map<string, number[]>> {
    const sorted = [...rules].sort((a, b) => a.action.localeCompare(b.action));
    await client.query(
      'INSERT INTO rate_limits (action) SELECT unnest($1::text[]) ON CONFLICT (action) DO UPDATE SET action = EXCLUDED.action',
      [sorted.map((rule) => rule.action)],
    );
    const { rows } = await client.query<{ action: string; at_ms: string }>(
      `WITH rules AS (SELECT * FROM unnest($1::text[], $2::bigint[]) AS r(action, per_ms)),
         gone AS (DELETE FROM rate_calls c USING rules r WHERE c.action = r.action AND c.at_ms <= $3 - r.per_ms)
       SELECT c.action, c.at_ms FROM rate_calls c JOIN rules r ON c.action = r.action WHERE c.at_ms > $3 - r.per_ms`,
      [sorted.map((rule) => rule.action), sorted.map((rule) => rule.perMs), atMs],
    );
    const sent = new Map<string, number[]>(rules.map((rule) => [rule.action, []]));
    for (const row of rows) sent.get(row.action)?.push(Number(row.at_ms));
    return sent;
  }

  /** The counted calls are in the database already; giving them back deletes them. */
  private reservation(ids: readonly string[]): Reservation {
    return {
      commit: async () => undefined,
      cancel: () => void this.pool.query('DELETE FROM rate_calls WHERE id = ANY($1::bigint[])', [ids]).catch(() => undefined),
    };
  }

  private async read(db: Queryable, server: string, lock: boolean): Promise<BreakerState> {
    const sql = `SELECT state, (state->>'probing')::boolean AND changed_at < clock_timestamp() - $2 * interval '1 millisecond' AS stale
                 FROM breakers WHERE server = $1${lock ? ' FOR UPDATE' : ''}`;
    let { rows } = await db.query<{ state: unknown; stale: boolean }>(sql, [server, this.options.staleProbeMs]);
    if (rows.length === 0 && lock) {
      // First use anywhere: the row is made (closed), then locked like any other.
      await db.query('INSERT INTO breakers (server, state, node) VALUES ($1, $2, $3) ON CONFLICT (server) DO NOTHING', [
        server,
        breakerRow(this.known(server)),
        this.options.node,
      ]);
      ({ rows } = await db.query<{ state: unknown; stale: boolean }>(sql, [server, this.options.staleProbeMs]));
    }
    const row = rows[0];
    if (!row) return this.known(server);
    const state = breakerFromRow(row.state, this.options.now());
    const current = row.stale ? { ...state, probing: false } : state;
    this.seen.set(server, current);
    return current;
  }

  private async write(db: Queryable, server: string, state: BreakerState): Promise<void> {
    await db.query('UPDATE breakers SET state = $2, node = $3, changed_at = clock_timestamp() WHERE server = $1', [server, breakerRow(state), this.options.node]);
    this.seen.set(server, state);
  }
}
