/**
 * Breakers and rate limits shared through PostgreSQL (SPEC §12), against a real PostgreSQL: counting is
 * atomic under concurrent admissions from two nodes, a released slot is given back, the window slides,
 * a breaker opened by one node holds the other back, and its half-open probe goes to exactly one.
 */
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { PgGuardStore } from '../../../src/cluster/pg-guard-store.js';
import { admitCall, recordOutcome, type BreakerSettings, type BreakerState } from '../../../src/execution/breaker.js';
import type { BreakerDecision } from '../../../src/execution/guard-store.js';
import { StepError } from '../../../src/core/errors.js';
import { postgresForFile } from '../../helpers/cluster-suite.js';

const postgres = postgresForFile();

let opened: PgGuardStore[] = [];
afterEach(async () => {
  await Promise.all(opened.map((store) => store.close()));
  opened = [];
});

const t0 = new Date('2026-12-02T10:00:00.000Z');
const settings: BreakerSettings = { failureThreshold: 2, coolDownMs: 10_000 };
const decideAt =
  (now: Date): BreakerDecision =>
  (s: BreakerState) => {
    const admission = admitCall(s, settings, now);
    return admission.allowed ? admission.next : undefined;
  };
const failed = new StepError('server_error', 'boom', true);

async function nodes(url: string, now: () => Date, names = ['a', 'b'], staleProbeMs = 60_000): Promise<PgGuardStore[]> {
  const stores = names.map((node) => new PgGuardStore({ url, node, staleProbeMs, now }));
  opened.push(...stores);
  for (const store of stores) await store.open(['mail']);
  return stores;
}

async function countRows(url: string, sql: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return Number((await client.query<{ n: string }>(sql)).rows[0]?.n);
  } finally {
    await client.end();
  }
}

describe('PgGuardStore: rate limits', () => {
  it('20 concurrent admissions from two nodes with a limit of 5: exactly 5 are let through', async () => {
    const url = await postgres().createDatabase();
    const [a, b] = (await nodes(url, () => t0)) as [PgGuardStore, PgGuardStore];
    const rule = { action: 'send', max: 5, perMs: 3_600_000 };
    const verdicts = await Promise.all(
      Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? a : b).admit('mail', [rule], t0.getTime() + i, decideAt(t0))),
    );
    expect(verdicts.filter((v) => v.kind === 'admitted')).toHaveLength(5);
    const refused = verdicts.filter((v) => v.kind === 'full');
    expect(refused).toHaveLength(15);
    // A refusal carries the calls inside the window, for the next free slot.
    for (const verdict of refused) if (verdict.kind === 'full') expect(verdict.sent.get('send')).toHaveLength(5);
    expect(await countRows(url, 'SELECT count(*) AS n FROM rate_calls')).toBe(5);
  }, 30_000);

  it('a cancelled reservation gives its slot back; calls that left the window no longer count', async () => {
    const url = await postgres().createDatabase();
    let now = t0;
    const [a, b] = (await nodes(url, () => now)) as [PgGuardStore, PgGuardStore];
    const rule = { action: 'send', max: 1, perMs: 60_000 };
    const first = await a.admit('mail', [rule], now.getTime(), decideAt(now));
    expect(first.kind).toBe('admitted');
    expect((await b.admit('mail', [rule], now.getTime(), decideAt(now))).kind).toBe('full');
    if (first.kind === 'admitted') first.reservation.cancel();
    await waitRows(url, 'SELECT count(*) AS n FROM rate_calls', 0);
    const second = await b.admit('mail', [rule], now.getTime(), decideAt(now));
    expect(second.kind).toBe('admitted');
    now = new Date(t0.getTime() + 60_000);
    expect((await a.admit('mail', [rule], now.getTime(), decideAt(now))).kind).toBe('admitted');
    // The call that left the window was forgotten on the way.
    expect(await countRows(url, 'SELECT count(*) AS n FROM rate_calls')).toBe(1);
  });
});

describe('PgGuardStore: breakers', () => {
  it('a breaker opened on node a holds node b back; after the cool-down exactly one node takes the probe', async () => {
    const url = await postgres().createDatabase();
    let now = t0;
    const [a, b] = (await nodes(url, () => now)) as [PgGuardStore, PgGuardStore];
    for (let i = 0; i < 2; i += 1) await a.change('mail', (s) => recordOutcome(s, 'failure', failed, settings, now));
    expect(a.known('mail').state).toBe('open');
    const held = await b.admit('mail', [], now.getTime(), decideAt(now));
    expect(held).toMatchObject({ kind: 'held', breaker: { state: 'open', consecutiveFailures: 2 } });
    expect(b.known('mail')).toMatchObject({ state: 'open', lastError: { type: 'server_error', message: 'boom' } });

    now = new Date(t0.getTime() + 10_000);
    const verdicts = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? a : b).admit('mail', [], now.getTime(), decideAt(now))));
    const probes = verdicts.filter((v) => v.kind === 'admitted');
    expect(probes).toHaveLength(1);
    expect(probes[0]).toMatchObject({ before: { probing: false }, after: { state: 'half-open', probing: true } });
    // The probe succeeds: closed for every node.
    await a.change('mail', (s) => recordOutcome(s, 'success', undefined, settings, now));
    expect((await b.admit('mail', [], now.getTime(), decideAt(now))).kind).toBe('admitted');
    expect(b.known('mail').state).toBe('closed');
  }, 30_000);

  it('a probe left taken by a node that died is given back after staleProbeMs; a restart lifts a latch', async () => {
    const url = await postgres().createDatabase();
    let now = t0;
    const [a] = (await nodes(url, () => now, ['a'], 200)) as [PgGuardStore];
    for (let i = 0; i < 2; i += 1) await a.change('mail', (s) => recordOutcome(s, 'failure', failed, settings, now));
    now = new Date(t0.getTime() + 10_000);
    expect((await a.admit('mail', [], now.getTime(), decideAt(now))).kind).toBe('admitted'); // a takes the probe, then "dies"
    const [b] = (await nodes(url, () => now, ['b'], 200)) as [PgGuardStore];
    expect((await b.admit('mail', [], now.getTime(), decideAt(now))).kind).toBe('held');
    // Waited for on the database's clock, not a guessed sleep.
    await waitRows(url, `SELECT count(*) AS n FROM breakers WHERE changed_at < clock_timestamp() - interval '200 milliseconds'`, 1);
    expect((await b.admit('mail', [], now.getTime(), decideAt(now))).kind).toBe('admitted');

    await b.change('mail', (s) => recordOutcome(s, 'authentication', new StepError('authentication', 'bad key', false), settings, now));
    expect((await a.admit('mail', [], now.getTime(), decideAt(now))).kind).toBe('held');
    await nodes(url, () => now, ['c']); // any node (re)starting with the server lifts the latch
    expect((await a.admit('mail', [], now.getTime(), decideAt(now))).kind).toBe('admitted');
  }, 30_000);
});

async function waitRows(url: string, sql: string, n: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  while ((await countRows(url, sql)) !== n) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${n} rows of ${sql}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
