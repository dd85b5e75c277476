/**
 * The journal in PostgreSQL, for several daemons on several hosts (SPEC §12), behind the same
 * JournalStore interface as the embedded file store. A `claimed` record takes the approval's lease
 * (a row in `claims` with a fencing token from a sequence) in the same statement that writes it: one
 * claim per approval across nodes. Every later record is written only while the lease is this node's,
 * under the token it was given and not expired by the database's clock, in one statement that locks the
 * lease row, so a takeover can never interleave; otherwise nothing is written and the append fails with
 * LeaseLostError. The node also keeps its own deadline (from before each renewal was sent, on the
 * monotonic clock), so a node resumed after a pause refuses before it even asks the database.
 */
import pg from 'pg';
import { systemClock } from '../core/clock.js';
import type { JournalRecord } from '../journal/records.js';
import { ClusterDatabaseError, LeaseLostError } from '../journal/errors.js';
import type { JournalContents } from '../journal/read-journal.js';
import type { CompactionResult, JournalStore } from '../journal/store.js';
import type { ClusterLeases, ClusterNode, HandOff, Reservation, TakenOver } from './leases.js';
import { migrate } from './migrations.js';
import { dropFinished } from './pg-compact.js';
import { releaseDelivery, reserveDelivery } from './pg-deliveries.js';
import { letGo, takeExpired } from './pg-handover.js';
import { clusterNodes, exclusive, holderOf, leasedAmong, readJournal, recordsByClaim, TAKE_LEASE, whereOf } from './pg-shared.js';

const DEFAULT_RETENTION_MS = 30 * 86_400_000;

interface PgStoreOptions {
  /** The connection URL: a secret, never put into a message. */
  readonly url: string;
  readonly node: string;
  readonly leaseMs: number;
  /** The servers started on this node: a plan handed over for one of them may be taken here. */
  readonly servers?: readonly string[];
  /** How long a plan that ended in Failed/ or Needs_Review/ keeps its records (`daemon.journalRetention`). */
  readonly retentionMs?: number;
  /** This host's single-instance lock (one daemon per node name and vault). */
  readonly acquireLock: () => Promise<{ release(): Promise<void> }>;
  /** Monotonic milliseconds: the runtime's clock (the system's when not given). */
  readonly now?: () => number;
  /** A pooled connection failed while idle (the server restarted, a backend was terminated). */
  readonly onConnectionError?: (error: Error) => void;
}

interface Lease {
  readonly token: string;
  /** Local monotonic time up to which the lease is certainly still this node's. */
  validUntil: number;
}

export class PgJournalStore implements JournalStore, ClusterLeases {
  readonly node: string;
  readonly leaseMs: number;
  private readonly pool: pg.Pool;
  private readonly leases = new Map<string, Lease>();
  private readonly now: () => number;
  private held: { release(): Promise<void> } | undefined;
  private readonly pending = new Set<Promise<unknown>>();

  constructor(private readonly options: PgStoreOptions) {
    this.node = options.node;
    this.leaseMs = options.leaseMs;
    this.now = options.now ?? (() => systemClock.monotonicMs());
    const timeout = Math.max(options.leaseMs, 5_000);
    this.pool = new pg.Pool({ connectionString: options.url, max: 6, connectionTimeoutMillis: timeout, query_timeout: timeout * 2 });
    // An idle connection that dies must not crash the process: the next query opens another.
    this.pool.on('error', (error) => options.onConnectionError?.(error));
  }

  async lock(): Promise<void> {
    this.held ??= await this.options.acquireLock();
    try {
      await migrate(this.pool);
      await this.pool.query(
        `INSERT INTO nodes (node, started_at, heartbeat_at, servers) VALUES ($1, clock_timestamp(), clock_timestamp(), $2)
         ON CONFLICT (node) DO UPDATE SET started_at = EXCLUDED.started_at, heartbeat_at = EXCLUDED.heartbeat_at, servers = EXCLUDED.servers`,
        [this.node, [...(this.options.servers ?? [])]],
      );
    } catch (error) {
      await this.held.release().catch(() => undefined);
      this.held = undefined;
      throw new ClusterDatabaseError(whereOf(this.options.url), error);
    }
  }

  read(): Promise<JournalContents> {
    return readJournal(this.pool);
  }

  append(record: JournalRecord): Promise<void> {
    const work = record.type === 'claimed' && !this.leases.has(record.claim) ? this.claim(record) : this.fenced(record);
    this.pending.add(work);
    return work.finally(() => this.pending.delete(work));
  }

  /**
   * Compaction is left to the database for now: a node's `live` set only knows its own plans, and
   * forgetting another node's unknown outcome could let a moved-back plan re-send. Nothing is dropped.
   */
  compact(live: Iterable<string>): Promise<CompactionResult> {
    return dropFinished(this.pool, [...live], this.options.retentionMs ?? DEFAULT_RETENTION_MS);
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.pending]);
    // Plans still held (deferred, or let go at the stop) are handed over at once, not after the lease.
    const claims = [...this.leases.keys()];
    const tokens = claims.map((claim) => this.leases.get(claim)?.token as string);
    this.leases.clear();
    if (claims.length > 0) {
      await this.pool
        .query(
          `UPDATE claims SET expires_at = clock_timestamp() - interval '1 millisecond'
           FROM unnest($2::text[], $3::bigint[]) AS held(claim, token)
           WHERE claims.node = $1 AND claims.claim = held.claim AND claims.token = held.token`,
          [this.node, claims, tokens],
        )
        .catch(() => undefined);
    }
    await this.pool.end().catch(() => undefined);
    await this.held?.release().catch(() => undefined);
    this.held = undefined;
  }

  holds(claim: string): boolean {
    const lease = this.leases.get(claim);
    return lease !== undefined && this.now() < lease.validUntil;
  }

  async renew(): Promise<string[]> {
    const sent = [...this.leases.entries()].map(([claim, lease]) => ({ claim, lease }));
    const startedAt = this.now();
    const { rows } = await this.pool.query<{ claim: string }>(
      `WITH renewed AS (
         UPDATE claims SET expires_at = clock_timestamp() + $4 * interval '1 millisecond'
         FROM unnest($2::text[], $3::bigint[]) AS held(claim, token)
         WHERE claims.node = $1 AND claims.claim = held.claim AND claims.token = held.token AND claims.expires_at > clock_timestamp()
         RETURNING claims.claim),
       beat AS (UPDATE nodes SET heartbeat_at = clock_timestamp() WHERE node = $1)
       SELECT claim FROM renewed`,
      [this.node, sent.map((s) => s.claim), sent.map((s) => s.lease.token), this.leaseMs],
    );
    const renewed = new Set(rows.map((row) => row.claim));
    const lost: string[] = [];
    for (const { claim, lease } of sent) {
      if (this.leases.get(claim) !== lease) continue; // settled or re-claimed meanwhile
      if (renewed.has(claim)) lease.validUntil = Math.max(lease.validUntil, startedAt + this.leaseMs);
      else {
        this.leases.delete(claim);
        lost.push(claim);
      }
    }
    return lost;
  }

  async takeOver(limit: number, atStart: boolean): Promise<TakenOver[]> {
    const startedAt = this.now();
    const taken = await takeExpired(this.pool, { node: this.node, limit, leaseMs: this.leaseMs, atStart, held: [...this.leases.keys()], servers: this.options.servers ?? [] });
    if (taken.length === 0) return [];
    for (const { claim, token } of taken) this.leases.set(claim, { token, validUntil: startedAt + this.leaseMs });
    const records = await recordsByClaim(this.pool, taken.map(({ claim }) => claim));
    return taken.map(({ claim, handOff }) => ({ claim, records: records.get(claim) ?? [], ...(handOff ? { handOff } : {}) }));
  }

  async settle(claim: string, finished: boolean, handOff?: HandOff): Promise<void> {
    const lease = this.leases.get(claim);
    if (!lease) return;
    this.leases.delete(claim);
    // Waited for by close(), so a plan let go at the stop is handed over before the pool ends.
    const work = letGo(this.pool, { claim, node: this.node, token: lease.token }, finished, handOff);
    this.pending.add(work);
    await work.finally(() => this.pending.delete(work));
  }

  async reserve(approval: string, delivery: string): Promise<Reservation> {
    const startedAt = this.now();
    const reserved = await reserveDelivery(this.pool, this.node, approval, delivery, this.leaseMs);
    if (reserved.kind === 'reserved') this.leases.set(approval, { token: reserved.token, validUntil: startedAt + this.leaseMs });
    return reserved;
  }

  async release(approval: string): Promise<void> {
    const lease = this.leases.get(approval);
    this.leases.delete(approval);
    if (lease) await releaseDelivery(this.pool, this.node, approval, lease.token);
  }

  async adopt(claim: string): Promise<boolean> {
    const startedAt = this.now();
    const { rows } = await this.pool.query<{ token: string }>(
      `INSERT INTO claims (claim, node, token, expires_at) VALUES ($1, $2, nextval('fencing_tokens'), clock_timestamp() + $3 * interval '1 millisecond')
       ON CONFLICT (claim) DO NOTHING RETURNING token`,
      [claim, this.node, this.leaseMs],
    );
    const token = rows[0]?.token;
    if (token === undefined) return false;
    this.leases.set(claim, { token, validUntil: startedAt + this.leaseMs });
    return true;
  }

  exclusive<T>(key: string, work: () => Promise<T>): Promise<T> {
    return exclusive(this.pool, key, work);
  }

  nodes(): Promise<ClusterNode[]> {
    return clusterNodes(this.pool, this.leaseMs);
  }

  leased(claims: readonly string[]): Promise<Set<string>> {
    return leasedAmong(this.pool, claims);
  }

  async recordsOf(claim: string): Promise<JournalRecord[]> {
    return (await recordsByClaim(this.pool, [claim])).get(claim) ?? [];
  }

  /** Takes the lease (free, or expired) and writes the `claimed` record under it, in one statement. */
  private async claim(record: JournalRecord): Promise<void> {
    const startedAt = this.now();
    const { rows } = await this.pool.query<{ token: string }>(
      `WITH lease AS (${TAKE_LEASE})
       INSERT INTO journal (claim, node, token, record) SELECT $1, $2, token, $4 FROM lease RETURNING token`,
      [record.claim, this.node, this.leaseMs, record],
    );
    const token = rows[0]?.token;
    if (token === undefined) throw new LeaseLostError(record.claim, `node ${await holderOf(this.pool, record.claim)} holds it`);
    this.leases.set(record.claim, { token, validUntil: startedAt + this.leaseMs });
  }

  /** Writes `record` only under this node's current, unexpired lease. */
  private async fenced(record: JournalRecord): Promise<void> {
    const lease = this.leases.get(record.claim);
    if (!lease) throw new LeaseLostError(record.claim, 'not held by this node');
    if (this.now() >= lease.validUntil) {
      this.leases.delete(record.claim);
      throw new LeaseLostError(record.claim, `not renewed within ${this.leaseMs} ms`);
    }
    const { rowCount } = await this.pool.query(
      `WITH lease AS (
         SELECT token FROM claims WHERE claim = $1 AND node = $2 AND token = $3 AND expires_at > clock_timestamp() FOR UPDATE)
       INSERT INTO journal (claim, node, token, record) SELECT $1, $2, token, $4 FROM lease`,
      [record.claim, this.node, lease.token, record],
    );
    if (rowCount === 1) return;
    if (this.leases.get(record.claim) === lease) this.leases.delete(record.claim);
    throw new LeaseLostError(record.claim, 'expired or taken over in the database');
  }
}
