/**
 * Several daemons on one vault, one PostgreSQL (SPEC §12, issue 16), all real: the database from a
 * temporary data directory, the daemons as child processes, the scripted server recording every call.
 * Every wait is for something observable (a call reaching the server, a lease changing hands in the
 * database, a file in a final folder, a log line), never a guessed time.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PgJournalStore } from '../../src/cluster/pg-store.js';
import { clusterSuite, type ClusterWorkspace } from '../helpers/cluster-suite.js';
import { startDaemon, waitFor, type DaemonProcess } from '../helpers/daemon-process.js';
import { createWorkspace, type Workspace } from '../helpers/workspace.js';

const suite = clusterSuite();

/** One workspace whose configuration every node shares; each node names itself and keeps its own state. */
function cluster(leaseMs: number, execution: Record<string, unknown> = {}): Promise<ClusterWorkspace> {
  return suite.cluster({ leaseMs, workspace: { daemon: { scanIntervalMs: 300 }, execution } });
}

const step = (action: string, name: string, script: string) =>
  ['- [ ] ' + name, '  ```yaml', `  action: ${action}`, `  name: ${name}`, `  script: ["${script}"]`, '  ```'].join('\n');
const plan = (id: string, ...steps: string[]) => ['---', `id: ${id}`, '---', '## Steps', ...steps, ''].join('\n');

const settled = async (ws: Workspace) => (await ws.list('Done')).length + (await ws.list('Failed')).length + (await ws.list('Needs_Review')).length;

describe('several daemons on one vault (cluster)', () => {
  it('a database that cannot be reached: one clear error naming where, never the password; exit 1', async () => {
    const current = suite.use(await createWorkspace());
    const config = JSON.parse(await readFile(current.configPath, 'utf8')) as Record<string, unknown>;
    config['cluster'] = { postgres: 'postgres://orch:s3cret-pw-123@127.0.0.1:1/orch', node: 'a' };
    await writeFile(current.configPath, JSON.stringify(config));
    const daemon = startDaemon(current.configPath);
    suite.track(daemon);
    expect(await daemon.exited).toBe(1);
    expect(daemon.output()).toMatch(/error: cannot open the cluster database at 127\.0\.0\.1:1\/orch \(ECONNREFUSED\); check cluster\.postgres/);
    expect(daemon.output()).not.toContain('s3cret-pw-123');
  });

  it('three nodes split the plans; every step is sent once; the URL is never logged', async () => {
    // Two run slots per node: a node claims only what it can start, so twelve plans cannot all go to one.
    const c = await cluster(3_000, { maxConcurrentPlans: 2 });
    const nodes: DaemonProcess[] = [];
    for (const node of ['n1', 'n2', 'n3']) nodes.push(await c.start(node));
    const count = 12;
    for (let i = 0; i < count; i += 1) {
      await c.ws.writePlan(`p${i}.md`, plan(`p${i}`, step('act_idempotent', `p${i}-look`, 'slow:150'), step('act', `p${i}-send`, 'ok')), 'Approved');
    }
    await waitFor(async () => (await settled(c.ws)) === count, 'every plan to settle', 30_000);
    expect(await c.ws.list('Done')).toHaveLength(count);
    const names = (await c.ws.calls()).map((call) => String(call.args['name'])).sort();
    expect(names).toEqual(Array.from({ length: count }, (_, i) => [`p${i}-look`, `p${i}-send`]).flat().sort());
    const claims = await c.query<{ node: string; n: string }>(`SELECT node, count(*) AS n FROM journal WHERE record->>'type' = 'claimed' GROUP BY node`);
    expect(claims.reduce((sum, row) => sum + Number(row.n), 0)).toBe(count);
    expect(claims.length, JSON.stringify(claims)).toBeGreaterThanOrEqual(2);
    // Finished plans leave no lease behind.
    await waitFor(async () => (await c.query('SELECT 1 FROM claims')).length === 0, 'the leases to be deleted');
    const log = await c.ws.readLog();
    expect(log).not.toContain(c.url);
    for (const daemon of nodes) expect(daemon.output()).not.toContain(c.url);
  }, 45_000);

  it('a call that outlives several leases: the lease is renewed while it runs, never taken over', async () => {
    const c = await cluster(1_000);
    await c.start('a');
    await c.start('b');
    await c.ws.writePlan('long.md', plan('long', step('act', 'long-send', 'slow:3500'), step('act', 'long-after', 'ok')), 'Approved');
    await waitFor(async () => (await c.ws.list('Done')).length === 1, 'the plan to finish', 20_000);
    expect((await c.ws.calls()).map((call) => call.args['name'])).toEqual(['long-send', 'long-after']);
    const writers = await c.query<{ node: string }>('SELECT DISTINCT node FROM journal');
    expect(writers).toHaveLength(1);
    expect(await c.ws.readLog()).not.toMatch(/taken over|let go/);
  }, 30_000);

  it('a node stopped with SIGTERM hands its plan over at once (long before its lease would run out)', async () => {
    const c = await cluster(60_000);
    const nodes = { a: await c.start('a'), b: await c.start('b') };
    await c.ws.writePlan('handover.md', plan('handover', step('act', 'handover-first', 'slow:800'), step('act', 'handover-second', 'ok')), 'Approved');
    await waitFor(async () => (await c.ws.calls()).length === 1, 'the first call to reach the server');
    const [owner] = await c.query<{ node: 'a' | 'b' }>('SELECT node FROM claims');
    const first = owner?.node ?? 'a';
    // The call in flight finishes within the grace period; the plan is let go before its next step.
    expect(await nodes[first].stop()).toBe(0);
    await waitFor(async () => (await c.ws.list('Done')).length === 1, 'the other node to finish the plan', 15_000);
    expect((await c.ws.calls()).map((call) => call.args['name'])).toEqual(['handover-first', 'handover-second']);
    const rows = await c.query<{ node: string; type: string; step: string | null }>(`SELECT node, record->>'type' AS type, record->>'step' AS step FROM journal ORDER BY seq`);
    expect(rows.filter((row) => row.node !== first).map((row) => `${row.type}${row.step ?? ''}`)).toEqual(['intent2', 'outcome2', 'finalized']);
  }, 30_000);

  it('a node killed mid-call: another takes the plan over; the step that is not idempotent goes to Needs_Review, never re-sent', async () => {
    const c = await cluster(1_000);
    const nodes = { a: await c.start('a'), b: await c.start('b') };
    // The server answers after the test is over (then exits: its daemon is gone).
    await c.ws.writePlan('kill.md', plan('kill', step('act', 'kill-send', 'slow:4000'), step('act', 'kill-after', 'ok')), 'Approved');
    await waitFor(async () => (await c.ws.calls()).length === 1, 'the call to reach the server');
    const [owner] = await c.query<{ node: 'a' | 'b' }>('SELECT node FROM claims');
    const other = owner?.node === 'a' ? 'b' : 'a';
    const a = nodes[owner?.node ?? 'a'];
    a.child.kill('SIGKILL');
    await a.exited;
    await waitFor(async () => (await c.ws.list('Needs_Review')).length === 1, 'the plan in Needs_Review/', 20_000);
    expect((await c.ws.calls()).map((call) => call.args['name'])).toEqual(['kill-send']);
    const owners = await c.query<{ node: string; type: string }>(`SELECT node, record->>'type' AS type FROM journal ORDER BY seq`);
    expect(owners).toEqual([
      { node: owner?.node, type: 'claimed' },
      { node: owner?.node, type: 'intent' },
      { node: other, type: 'finalized' },
    ]);
    expect(await readFile(path.join(c.ws.vault, 'Needs_Review', 'kill.md'), 'utf8')).toMatch(/^status: needs_review$/m);
  }, 30_000);

  it('a node paused past its lease, then resumed: it never sends or records anything afterwards', async () => {
    const c = await cluster(1_000);
    const nodes = { a: await c.start('a'), b: await c.start('b') };
    // The answer to the first step arrives while its node is stopped; the second step must never go out from it.
    await c.ws.writePlan('pause.md', plan('pause', step('act_idempotent', 'pause-look', 'slow:2500'), step('act', 'pause-send', 'ok')), 'Approved');
    await waitFor(async () => (await c.ws.calls()).length === 1, 'the first call to reach the server');
    const [owner] = await c.query<{ node: 'a' | 'b' }>('SELECT node FROM claims');
    const paused = owner?.node ?? 'a';
    const a = nodes[paused];
    a.child.kill('SIGSTOP');
    // `b` takes the lease once it expired, re-sends the idempotent step (its outcome was unknown) and finishes.
    await waitFor(async () => (await c.ws.list('Done')).length === 1, 'b to finish the plan', 20_000);
    const before = await c.query<{ seq: string }>('SELECT seq FROM journal');
    a.child.kill('SIGCONT');
    await waitFor(async () => /let go: .*lease/.test(await c.ws.readLog()), "a's notice that it let the plan go", 20_000).catch(async (e) => {
      console.log(await c.ws.readLog(), a.output());
      throw e;
    });
    expect(await c.query<{ seq: string }>('SELECT seq FROM journal')).toEqual(before);
    const rows = await c.query<{ node: string; type: string }>(`SELECT node, record->>'type' AS type FROM journal ORDER BY seq`);
    expect(rows.filter((row) => row.node === paused).map((row) => row.type)).toEqual(['claimed', 'intent']);
    expect((await c.ws.calls()).map((call) => call.args['name'])).toEqual(['pause-look', 'pause-look', 'pause-send']);
    expect(await c.ws.list('Done')).toEqual(['pause.md']);
    expect(await readFile(path.join(c.ws.vault, 'Done', 'pause.md'), 'utf8')).toMatch(/^status: completed$/m);
  }, 30_000);

  it('a file in In_Progress/ that no node holds (its node died before claiming it): adopted and run by exactly one node', async () => {
    const c = await cluster(700);
    await c.start('a');
    await c.start('b');
    await c.ws.writePlan('orphan.md', plan('orphan', step('act', 'orphan-send', 'ok')), 'In_Progress');
    await waitFor(async () => (await c.ws.list('Done')).length === 1, 'the orphan to be run', 20_000);
    expect((await c.ws.calls()).map((call) => call.args['name'])).toEqual(['orphan-send']);
    const claims = await c.query<{ node: string }>(`SELECT node FROM journal WHERE record->>'type' = 'claimed'`);
    expect(claims).toHaveLength(1);
    await waitFor(async () => (await c.query('SELECT 1 FROM claims')).length === 0, 'no lease left, not even the adoption mutex');
  }, 30_000);

  it('the lease a dead node left of a plan already in Done/: dropped, and a new file of that name is run, not moved', async () => {
    const c = await cluster(700);
    // The dead node: it claimed and finished `same.md` (approval X) but died before deleting its lease.
    const ghost = new PgJournalStore({ url: c.url, node: 'ghost', leaseMs: 700, acquireLock: async () => ({ release: async () => undefined }) });
    await ghost.lock();
    const at = new Date().toISOString();
    await ghost.append({ type: 'claimed', claim: 'approval-x', plan: 'same', name: 'same.md', file: 'same.md', hash: 'h', at });
    await ghost.append({ type: 'finalized', claim: 'approval-x', folder: 'Done', file: 'same.md', at });
    // A new plan of the same name sits in In_Progress/ under another approval.
    await c.ws.writePlan('same.md', plan('same', step('act', 'same-send', 'ok')).replace('id: same', 'id: same\napproval_id: approval-y'), 'In_Progress');
    await c.start('a');
    await waitFor(async () => (await c.ws.list('Done')).length === 1, 'the new plan to run', 20_000);
    expect((await c.ws.calls()).map((call) => call.args['name'])).toEqual(['same-send']);
    await waitFor(async () => (await c.query(`SELECT 1 FROM claims WHERE claim = 'approval-x'`)).length === 0, "the dead node's lease to be dropped");
    await ghost.close();
  }, 30_000);

  it('a long run keeps the journal in the database small: plans done with are compacted away while the nodes run', async () => {
    const c = await suite.cluster({ leaseMs: 3_000, workspace: { daemon: { scanIntervalMs: 300, journalMaxBytes: 1_000 } } });
    await c.start('a');
    await c.start('b');
    const wave = async (prefix: string, count: number) => {
      for (let i = 0; i < count; i += 1) await c.ws.writePlan(`${prefix}${i}.md`, plan(`${prefix}${i}`, step('act', `${prefix}${i}-send`, 'ok')), 'Approved');
    };
    await wave('first', 6);
    await waitFor(async () => (await c.ws.list('Done')).length === 6 && (await c.query('SELECT 1 FROM claims')).length === 0, 'the first plans done and let go', 30_000);
    // Every node writes past journalMaxBytes while it runs the next plans, and compacts.
    await wave('next', 6);
    await waitFor(async () => (await c.ws.list('Done')).length === 12, 'the next plans done', 30_000);
    const firstLeft = async () =>
      (await c.query<{ plan: string }>(`SELECT DISTINCT record->>'plan' AS plan FROM journal WHERE record->>'type' = 'claimed'`)).filter((row) => row.plan.startsWith('first'));
    await waitFor(async () => (await firstLeft()).length === 0, 'the first plans compacted away', 20_000).catch(async (error: unknown) => {
      throw new Error(`${String(error)}: ${JSON.stringify(await firstLeft())}`);
    });
    const names = (await c.ws.calls()).map((call) => String(call.args['name']));
    expect(new Set(names).size).toBe(12);
    expect(names).toHaveLength(12);
    expect(await c.ws.readLog()).not.toContain('compaction failed');
  }, 60_000);

  it('killed database connections and a PostgreSQL restart mid-run: every plan final, no step that is not idempotent sent twice', async () => {
    const c = await cluster(2_000);
    await c.start('a');
    await c.start('b');
    const count = 6;
    for (let i = 0; i < count; i += 1) {
      await c.ws.writePlan(`d${i}.md`, plan(`d${i}`, step('act_idempotent', `d${i}-look`, 'slow:300'), step('act', `d${i}-send`, 'slow:300')), 'Approved');
    }
    await waitFor(async () => (await c.ws.calls()).length >= 2, 'calls under way');
    await c.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`);
    await waitFor(async () => (await c.ws.calls()).length >= 5, 'more calls under way');
    await suite.postgres().restart();
    await waitFor(async () => (await settled(c.ws)) === count, 'every plan to settle', 40_000);
    const sends = (await c.ws.calls()).map((call) => String(call.args['name'])).filter((name) => name.endsWith('-send'));
    expect(new Set(sends).size, sends.join(' ')).toBe(sends.length);
    // A send whose outcome the disturbance left unknown goes to review; every other plan is done.
    const review = await c.ws.list('Needs_Review');
    expect((await c.ws.list('Done')).length + review.length).toBe(count);
    expect(await c.ws.list('Failed')).toEqual([]);
  }, 60_000);
});
