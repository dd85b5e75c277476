/**
 * The claim of a file in Approved/ by its bytes (cluster/pg-deliveries.ts), against a real PostgreSQL:
 * two nodes reserving the same bytes at once get one reservation; the bytes stay taken once the run has
 * a record, even after its lease is gone; bytes given back (the file was gone before the move) are free
 * again; bytes whose node died before the move are free for that node, and for any once it is silent.
 */
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { PgJournalStore } from '../../../src/cluster/pg-store.js';
import { postgresForFile } from '../../helpers/cluster-suite.js';

const postgres = postgresForFile();

const at = '2026-12-02T07:00:00.000Z';

const urls = new WeakMap<PgJournalStore, string>();
async function query(store: PgJournalStore, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: urls.get(store) });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

async function twoNodes() {
  const url = await postgres().createDatabase();
  const made = ['a', 'b'].map((node) => new PgJournalStore({ url, node, leaseMs: 5_000, acquireLock: async () => ({ release: async () => undefined }) }));
  for (const store of made) {
    await store.lock();
    urls.set(store, url);
  }
  return made as [PgJournalStore, PgJournalStore];
}

describe('reserving a file in Approved/ by its bytes', () => {
  it('two nodes reserving the same bytes at once: one reservation; the other is told whose copy it is', async () => {
    const [a, b] = await twoNodes();
    try {
      for (let i = 0; i < 10; i += 1) {
        const [fromA, fromB] = await Promise.all([a.reserve(`a-${i}`, `bytes-${i}`), b.reserve(`b-${i}`, `bytes-${i}`)]);
        const kinds = [fromA.kind, fromB.kind].sort();
        expect(kinds).toEqual(['copy', 'reserved']);
        const [winner, loser] = fromA.kind === 'reserved' ? (['a', fromB] as const) : (['b', fromA] as const);
        expect(loser).toEqual({ kind: 'copy', approval: `${winner}-${i}`, node: winner });
        expect((winner === 'a' ? a : b).holds(`${winner}-${i}`)).toBe(true);
      }
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('the bytes of a run that ended stay taken; given back they are free; a node that died before the move takes them again itself', async () => {
    const [a, b] = await twoNodes();
    try {
      expect((await a.reserve('x', 'bytes-x')).kind).toBe('reserved');
      await a.append({ type: 'claimed', claim: 'x', plan: 'p', name: 'p.md', file: 'p.md', hash: 'h', at });
      await a.append({ type: 'finalized', claim: 'x', folder: 'Done', file: 'p.md', at });
      await a.settle('x', true);
      expect(await b.reserve('y', 'bytes-x')).toEqual({ kind: 'copy', approval: 'x', node: 'a' });
      // Reserved, then the file was gone before the move: given back, and free for the next node.
      expect((await a.reserve('z', 'bytes-z')).kind).toBe('reserved');
      await a.release('z');
      expect((await b.reserve('z2', 'bytes-z')).kind).toBe('reserved');
      // Reserved, then its node died before the move (its lease dropped, no record): still taken for the
      // others; the node itself, restarted and finding the file still in its Approved/, takes it again.
      expect((await a.reserve('w', 'bytes-w')).kind).toBe('reserved');
      await a.settle('w', true);
      expect(await b.reserve('w2', 'bytes-w')).toEqual({ kind: 'copy', approval: 'w', node: 'a' });
      expect((await a.reserve('w3', 'bytes-w')).kind).toBe('reserved');
      // Once the node that took them has been silent for two leases with nothing recorded, any node may.
      await a.settle('w3', true);
      expect((await b.reserve('w4', 'bytes-w')).kind).toBe('copy');
      await query(a, `UPDATE nodes SET heartbeat_at = clock_timestamp() - interval '1 minute' WHERE node = 'a'`);
      expect((await b.reserve('w4', 'bytes-w')).kind).toBe('reserved');
      expect(await a.reserve('w5', 'bytes-w')).toEqual({ kind: 'copy', approval: 'w4', node: 'b' });
      // Other bytes of an approval another node holds (a stamped file moved back in two copies, edited in one).
      expect(await a.reserve('z2', 'bytes-other')).toEqual({ kind: 'held', node: 'b' });
    } finally {
      await a.close();
      await b.close();
    }
  });
});
