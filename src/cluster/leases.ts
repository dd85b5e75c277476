/**
 * What the daemon asks of the cluster besides the five journal calls (SPEC §12): the leases, their
 * renewal and takeover. Types only, so the daemon's wiring never loads the PostgreSQL client itself;
 * cluster/pg-store.ts implements them.
 */
import type { JournalRecord } from '../journal/records.js';

/** A plan whose lease this node just took over from a node that stopped renewing it. */
export interface TakenOver {
  readonly claim: string;
  readonly records: JournalRecord[];
  /** Handed over for a step on this server (placement), by this node; absent: its node stopped renewing. */
  readonly handOff?: HandOff;
}

/** A lease let go for a step on `server` (placement), by node `from`, with its plan file as then written. */
export interface HandOff {
  readonly server: string;
  readonly from: string;
  /** SHA-256 of the plan file as `from` last wrote it; absent when it could not be read. */
  readonly fileHash?: string;
}

/** A node as the cluster sees it (`servers`). */
export interface ClusterNode {
  readonly node: string;
  readonly servers: readonly string[];
  readonly heartbeatAt: Date;
  /** Within the last two leases. */
  readonly live: boolean;
  /** The plans (file names, else approvals) whose unexpired lease it holds. */
  readonly holds: readonly string[];
}

/** What became of a file in Approved/ a node asked to claim (ClusterLeases.reserve). */
export type Reservation =
  /** This node has the lease: it moves the file and writes the `claimed` record under it. */
  | { readonly kind: 'reserved'; readonly token: string }
  /** The same bytes were taken already, by `node`, as `approval`: a copy, left where it is. */
  | { readonly kind: 'copy'; readonly approval: string; readonly node: string }
  /** Another node holds the approval's lease. */
  | { readonly kind: 'held'; readonly node: string };

/** What the daemon asks of the cluster besides the journal calls. */
export interface ClusterLeases {
  readonly node: string;
  readonly leaseMs: number;
  /** Is this approval's lease this node's by the local deadline? */
  holds(claim: string): boolean;
  /** Extends every lease held; returns the approvals whose lease was lost meanwhile. */
  renew(): Promise<string[]>;
  /** Takes over up to `limit` expired leases (at start also this node's own, left by an earlier process). */
  takeOver(limit: number, atStart: boolean): Promise<TakenOver[]>;
  /**
   * The plan settled here: its lease is deleted when it is finished, else handed over at once; with
   * `handOff`, only to a node that has its server (the next step's).
   */
  settle(claim: string, finished: boolean, handOff?: HandOff): Promise<void>;
  /** The nodes (live or not) and what each has and holds. */
  nodes(): Promise<ClusterNode[]>;
  /** Every record of one approval, in order. */
  recordsOf(claim: string): Promise<JournalRecord[]>;
  /**
   * Before a file in Approved/ is moved: takes its bytes (`delivery`, their hash) for `approval`, with the
   * approval's lease, unless a node took those bytes already or holds the lease (cluster/pg-deliveries.ts).
   */
  reserve(approval: string, delivery: string): Promise<Reservation>;
  /** A reserved file was gone before it could be moved: its lease and its delivery are given back. */
  release(approval: string): Promise<void>;
  /** Takes the lease of an approval nobody holds (no row at all); false when one exists. */
  adopt(claim: string): Promise<boolean>;
  /**
   * Runs `work` while no other node runs work under the same key (a PostgreSQL advisory lock): the
   * check-then-rename of a move into a shared final folder, which only one daemon per vault made safe.
   */
  exclusive<T>(key: string, work: () => Promise<T>): Promise<T>;
  /** Which of these approvals have a lease row (held or expired). */
  leased(claims: readonly string[]): Promise<Set<string>>;
}
