/**
 * The PostgreSQL store (SPEC §12) against a real PostgreSQL: versioned migrations, one claim per
 * approval across nodes, fenced appends (a stale token writes nothing), renewals, and the takeover of an
 * expired lease. Leases here are short (500 ms) and expiry is waited for on the database's own clock.
 */
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS, migrate, SchemaTooNewError } from '../../../src/cluster/migrations.js';
import { PgJournalStore } from '../../../src/cluster/pg-store.js';
import { LeaseLostError } from '../../../src/journal/errors.js';
import type { JournalRecord } from '../../../src/journal/records.js';
import { postgresForFile } from '../../helpers/cluster-suite.js';
import { waitFor } from '../../helpers/daemon-process.js';

const postgres = postgresForFile();

const noLock = async () => ({ release: async () => undefined });
const at = '2026-12-02T07:00:00.000Z';
const claimed = (claim: string): JournalRecord => ({ type: 'claimed', claim, plan: 'p', name: `${claim}.md`, file: `${claim}.md`, hash: 'h', at });
const intent = (claim: string, step = 1): JournalRecord => ({ type: 'intent', claim, step, key: `k${step}`, attempt: 1, idempotent: false, at });

async function stores(url: string, leaseMs = 500, now?: () => number) {
  const made = ['a', 'b'].map((node) => new PgJournalStore({ url, node, leaseMs, acquireLock: noLock, ...(now ? { now } : {}) }));
  for (const store of made) await store.lock();
  return made as [PgJournalStore, PgJournalStore];
}

async function rowsOf(url: string, sql: string): Promise<unknown[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

/** Waits until the database's clock has passed every lease (no sleeping a guessed time). */
async function allExpired(url: string): Promise<void> {
  await waitFor(async () => ((await rowsOf(url, 'SELECT 1 FROM claims WHERE expires_at > clock_timestamp()')).length === 0 ? true : undefined), 'leases to expire', 5_000);
}

describe('migrations', () => {
  it('apply once, in a transaction; again they do nothing; concurrent starts apply each version once', async () => {
    const url = await postgres().createDatabase();
    const pool = new pg.Pool({ connectionString: url });
    try {
      const results = await Promise.all([migrate(pool), migrate(pool), migrate(pool)]);
      expect(results.flat()).toEqual(MIGRATIONS.map((m) => m.version));
      expect(await migrate(pool)).toEqual([]);
      const versions = (await pool.query('SELECT version FROM schema_version ORDER BY version')).rows.map((r: { version: number }) => r.version);
      expect(versions).toEqual(MIGRATIONS.map((m) => m.version));
      // A failing migration leaves nothing behind.
      const broken = [...MIGRATIONS, { version: 99, sql: 'CREATE TABLE half (x int); SELECT no_such_function();' }];
      await expect(migrate(pool, broken)).rejects.toThrow(/no_such_function/);
      expect((await pool.query(`SELECT to_regclass('half') AS t`)).rows[0].t).toBeNull();
      await pool.query('INSERT INTO schema_version (version) VALUES (1000)');
      await expect(migrate(pool)).rejects.toBeInstanceOf(SchemaTooNewError);
    } finally {
      await pool.end();
    }
  });
});

describe('PgJournalStore', () => {
  it('gives one claim per approval across nodes and writes under it; read() returns everything in order', async () => {
    const url = await postgres().createDatabase();
    const [a, b] = await stores(url, 10_000);
    try {
      await a.append(claimed('c1'));
      await expect(b.append(claimed('c1'))).rejects.toThrow(/node a holds it/);
      await a.append(intent('c1'));
      await expect(b.append(intent('c1'))).rejects.toBeInstanceOf(LeaseLostError);
      expect(a.holds('c1')).toBe(true);
      expect(b.holds('c1')).toBe(false);
      expect((await b.read()).records.map((r) => r.type)).toEqual(['claimed', 'intent']);
      expect(await a.renew()).toEqual([]);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('refuses a record under a stale token after another node took the expired lease over; nothing is written', async () => {
    const url = await postgres().createDatabase();
    // `a` believes its lease is good (its clock stands still): only the database can refuse it.
    const [a, b] = await stores(url, 500, () => 0);
    try {
      await a.append(claimed('c1'));
      await a.append(intent('c1', 1));
      await allExpired(url);
      const taken = await b.takeOver(10, false);
      expect(taken.map((t) => t.claim)).toEqual(['c1']);
      expect(taken[0]?.records.map((r) => r.type)).toEqual(['claimed', 'intent']);
      const error = await a.append(intent('c1', 2)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(LeaseLostError);
      expect((error as Error).message).toMatch(/taken over/);
      expect(await rowsOf(url, `SELECT 1 FROM journal WHERE record->>'step' = '2'`)).toEqual([]);
      expect(a.holds('c1')).toBe(false);
      await b.append(intent('c1', 2));
      const tokens = (await rowsOf(url, 'SELECT node, token FROM journal ORDER BY seq')) as { node: string; token: string }[];
      expect(tokens.map((t) => t.node)).toEqual(['a', 'a', 'b']);
      expect(Number(tokens[2]?.token)).toBeGreaterThan(Number(tokens[0]?.token));
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('refuses locally once its own deadline passed, before asking the database, and renew() names a lease lost', async () => {
    const url = await postgres().createDatabase();
    let now = 0;
    const [a, b] = await stores(url, 500, () => now);
    try {
      await a.append(claimed('c1'));
      await a.append(claimed('c2'));
      now = 400;
      expect(await a.renew()).toEqual([]); // renewed from 400: good until 900
      now = 800;
      expect(a.holds('c1')).toBe(true);
      now = 950;
      expect(a.holds('c1')).toBe(false);
      await expect(a.append(intent('c1'))).rejects.toThrow(/not renewed within 500 ms/);
      // c2: the database lets it expire and b takes it; a's next renewal says it is lost.
      await allExpired(url);
      expect((await b.takeOver(10, false)).map((t) => t.claim).sort()).toEqual(['c1', 'c2']);
      now = 0;
      expect(await a.renew()).toEqual(['c2']);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('hands a lease over at settle (unfinished) or deletes it (finished), and at close; a restarted node takes its own back at start', async () => {
    const url = await postgres().createDatabase();
    const [a, b] = await stores(url, 60_000);
    try {
      await a.append(claimed('open'));
      await a.append(claimed('done'));
      await a.append(claimed('held'));
      await a.settle('open', false);
      await a.settle('done', true);
      expect((await b.takeOver(10, false)).map((t) => t.claim)).toEqual(['open']);
      expect(await rowsOf(url, `SELECT claim FROM claims WHERE claim = 'done'`)).toEqual([]);
      // A new process of node a (its predecessor died holding `held`) takes it back at start only.
      const again = new PgJournalStore({ url, node: 'a', leaseMs: 60_000, acquireLock: noLock });
      await again.lock();
      expect(await again.takeOver(10, false)).toEqual([]);
      expect((await again.takeOver(10, true)).map((t) => t.claim)).toEqual(['held']);
      await expect(a.append(intent('held'))).rejects.toBeInstanceOf(LeaseLostError);
      await again.close();
      expect((await b.takeOver(10, false)).map((t) => t.claim)).toEqual(['held']);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('exclusive(): work under one key never overlaps across nodes; other keys run alongside', async () => {
    const url = await postgres().createDatabase();
    const [a, b] = await stores(url, 10_000);
    try {
      const events: string[] = [];
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      let entered!: () => void;
      const inside = new Promise<void>((resolve) => (entered = resolve));
      const first = a.exclusive('move:Done', async () => {
        events.push('a in');
        entered();
        await held;
        events.push('a out');
      });
      await inside;
      const second = b.exclusive('move:Done', async () => void events.push('b in'));
      // Another folder is not held up by it.
      await b.exclusive('move:Failed', async () => void events.push('b other'));
      release();
      await Promise.all([first, second]);
      expect(events).toEqual(['a in', 'b other', 'a out', 'b in']);
    } finally {
      await a.close();
      await b.close();
    }
  });
});
