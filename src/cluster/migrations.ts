/**
 * The cluster's schema in PostgreSQL, versioned (SPEC §12): each migration is applied once, in order,
 * in one transaction under an advisory lock, so several nodes starting at once neither race nor apply
 * one twice; `schema_version` says what is applied. A database newer than this code is refused rather
 * than used half-understood.
 */
import type { Pool } from 'pg';
import { transaction } from './pg-shared.js';

/** Append only: a released migration is never edited; a change is a new entry. */
export const MIGRATIONS: readonly { readonly version: number; readonly sql: string }[] = [
  {
    version: 1,
    sql: `
      CREATE SEQUENCE fencing_tokens;
      -- One row per approval being run: its lease. The token grows with every new holder.
      CREATE TABLE claims (
        claim text PRIMARY KEY,
        node text NOT NULL,
        token bigint NOT NULL,
        expires_at timestamptz NOT NULL,
        claimed_at timestamptz NOT NULL DEFAULT clock_timestamp()
      );
      CREATE INDEX claims_expiry ON claims (expires_at);
      -- The step journal: the records of journal/records.ts, each with the node and token that wrote it.
      CREATE TABLE journal (
        seq bigserial PRIMARY KEY,
        claim text NOT NULL,
        node text NOT NULL,
        token bigint NOT NULL,
        record jsonb NOT NULL,
        written_at timestamptz NOT NULL DEFAULT clock_timestamp()
      );
      CREATE INDEX journal_by_claim ON journal (claim, seq);
      CREATE TABLE nodes (
        node text PRIMARY KEY,
        started_at timestamptz NOT NULL,
        heartbeat_at timestamptz NOT NULL
      );
    `,
  },
  {
    version: 2,
    sql: `
      -- Placement per step: a lease handed over for a step whose server is on other nodes says which
      -- server it needs; only a node that has it takes it. Each node lists the servers it started.
      ALTER TABLE claims ADD COLUMN needs text;
      ALTER TABLE claims ADD COLUMN handed_by text;
      ALTER TABLE nodes ADD COLUMN servers text[] NOT NULL DEFAULT '{}';
    `,
  },
  {
    version: 3,
    sql: `
      -- get_plan on any node finds a plan's latest claim by its id without reading the whole journal.
      CREATE INDEX journal_claimed_by_plan ON journal ((record->>'plan'), seq) WHERE record->>'type' = 'claimed';
    `,
  },
  {
    version: 4,
    sql: `
      -- Rate limits across nodes: one row per limited action, locked while its calls are counted, so two
      -- nodes never both take the last slot; and one row per call let through (the sliding window).
      CREATE TABLE rate_limits (action text PRIMARY KEY);
      CREATE TABLE rate_calls (
        id bigserial PRIMARY KEY,
        action text NOT NULL,
        at_ms bigint NOT NULL,
        node text NOT NULL
      );
      CREATE INDEX rate_calls_by_action ON rate_calls (action, at_ms);
      -- One circuit breaker per server for the whole cluster (execution/breaker.ts's state as jsonb),
      -- with the node that last changed it (the one holding a half-open probe) and when.
      CREATE TABLE breakers (
        server text PRIMARY KEY,
        state jsonb NOT NULL,
        node text NOT NULL,
        changed_at timestamptz NOT NULL DEFAULT clock_timestamp()
      );
    `,
  },
  {
    version: 5,
    sql: `
      -- A synced vault per node: the same approval reaches every node's Approved/ as a copy. A file's
      -- bytes there (sha-256) are one delivery; the first node to take it names the approval it became.
      CREATE TABLE deliveries (
        content text PRIMARY KEY,
        approval text NOT NULL,
        node text NOT NULL,
        taken_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        -- Its approval's records were compacted away: the bytes are that approval's for good, even for
        -- the node that took them (which no longer has a record to tell it so).
        ended boolean NOT NULL DEFAULT false
      );
    `,
  },
  {
    version: 6,
    sql: `
      -- A hand-over names the plan file as its node last wrote it (sha-256): with a synced copy per node,
      -- the node taking it over waits for its copy to be that one, so the two copies never diverge.
      ALTER TABLE claims ADD COLUMN file_hash text;
    `,
  },
];

/** Any fixed number: it only has to be the same for every node. */
const MIGRATION_LOCK = 716_016;

export class SchemaTooNewError extends Error {
  override readonly name = 'SchemaTooNewError';
  constructor(readonly found: number, readonly known: number) {
    super(`the cluster database is at schema version ${found}, newer than this version of mcp-orchestrator knows (${known}); upgrade this node`);
  }
}

/** Applies what is missing; returns the versions applied now (none when up to date). */
export async function migrate(pool: Pool, migrations = MIGRATIONS): Promise<number[]> {
  return transaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await client.query('CREATE TABLE IF NOT EXISTS schema_version (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT clock_timestamp())');
    const { rows } = await client.query<{ version: number | null }>('SELECT max(version) AS version FROM schema_version');
    const current = rows[0]?.version ?? 0;
    const known = migrations.at(-1)?.version ?? 0;
    if (current > known) throw new SchemaTooNewError(current, known);
    const applied: number[] = [];
    for (const migration of migrations) {
      if (migration.version <= current) continue;
      await client.query(migration.sql);
      await client.query('INSERT INTO schema_version (version) VALUES ($1)', [migration.version]);
      applied.push(migration.version);
    }
    return applied;
  });
}
