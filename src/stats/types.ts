/** What `stats` reports (SPEC §8), as printed by `stats --json`. Rates are fractions 0..1, null when nothing to divide. */

export interface ActionStats {
  /** `server.tool` */
  readonly action: string;
  readonly server: string;
  readonly tool: string;
  /** Attempts that started (CALL). */
  readonly calls: number;
  /** Attempts that ended: succeeded + retried + failed. */
  readonly finished: number;
  readonly succeeded: number;
  /** Failed attempts followed by another attempt. */
  readonly retried: number;
  /** Failed attempts after which the step gave up (failed, deferred or sent to review). */
  readonly failed: number;
  readonly successRate: number | null;
  /** Over finished attempts that carry a duration. */
  readonly avgMs: number | null;
  /** Nearest-rank 95th percentile, exact. */
  readonly p95Ms: number | null;
}

export interface ErrorStats {
  readonly count: number;
  /** Share of finished attempts that failed with this type. */
  readonly rate: number | null;
}

export interface LogStats {
  /** ISO time of the `--since` cutoff, null without one. */
  readonly since: string | null;
  /** ISO times of the first and last counted lines. */
  readonly first: string | null;
  readonly last: string | null;
  readonly lines: {
    /** Every line read from the log files, blank lines excluded. */
    readonly read: number;
    /** Lines at or after the cutoff that were counted. */
    readonly counted: number;
    /** Torn or garbled lines (not JSON, or without a valid `ts` and `event`): skipped. */
    readonly skipped: number;
  };
  readonly calls: {
    readonly total: number;
    readonly byServer: Readonly<Record<string, number>>;
    /** Local day (YYYY-MM-DD) → calls. */
    readonly byDay: Readonly<Record<string, number>>;
    /** Server → day → calls. */
    readonly byServerDay: Readonly<Record<string, Readonly<Record<string, number>>>>;
  };
  readonly attempts: {
    readonly finished: number;
    readonly succeeded: number;
    readonly retried: number;
    readonly failed: number;
    readonly successRate: number | null;
  };
  /** Error type → failed attempts of that type (retried or not). */
  readonly errors: Readonly<Record<string, ErrorStats>>;
  /** Attempts that were retried (RETRY events of a call). */
  readonly retries: number;
  /** Sorted by action name. */
  readonly actions: readonly ActionStats[];
  readonly plans: {
    readonly done: number;
    readonly failed: number;
    readonly needs_review: number;
    /** Deferrals (a plan deferred twice counts twice). */
    readonly deferred: number;
  };
}

/** Plan files waiting in the vault right now. */
export interface QueueDepth {
  /** In Approved/. */
  readonly waiting: number;
  /** In In_Progress/, deferred ones included. */
  readonly inProgress: number;
  /** Those in In_Progress/ whose front matter says `status: deferred`. */
  readonly deferred: number;
}

export interface StatsReport extends LogStats {
  readonly queue: QueueDepth;
  /** Log files read, oldest first. */
  readonly files: readonly string[];
}
