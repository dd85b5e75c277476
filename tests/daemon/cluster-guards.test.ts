/**
 * Rate limits and circuit breakers across nodes (SPEC §12, issue 16), all real: two daemons as child
 * processes on one vault, one PostgreSQL from a temporary data directory, the scripted server recording
 * every call. A limit of N per window is N across the cluster; a breaker opened by one node's failures
 * holds the other node's plans back without a call. Every wait is for a file, a log line or a row.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { clusterSuite, type ClusterWorkspace } from '../helpers/cluster-suite.js';
import { waitFor } from '../helpers/daemon-process.js';
import type { Workspace } from '../helpers/workspace.js';

const suite = clusterSuite();

/** One configuration for every node (plus top-level `extra` keys); each node keeps its own state. */
function cluster(execution: Record<string, unknown>, actions: Record<string, unknown>, extra: Record<string, unknown> = {}): Promise<ClusterWorkspace> {
  return suite.cluster({ workspace: { daemon: { scanIntervalMs: 300 }, execution, actions }, edit: (config) => Object.assign(config, extra) });
}

const actPlan = (id: string, action: string, script: string) => `---\nid: ${id}\naction: ${action}\nname: ${id}\nscript: ["${script}"]\n---\n`;
const read = (workspace: Workspace, folder: string, name: string) => readFile(path.join(workspace.vault, folder, name), 'utf8').catch(() => '');

/** The plans in In_Progress/ whose file says `status: deferred`, with their text. */
async function deferred(workspace: Workspace): Promise<string[]> {
  const texts = await Promise.all((await workspace.list('In_Progress')).map((name) => read(workspace, 'In_Progress', name)));
  return texts.filter((text) => /^status: deferred$/m.test(text));
}

/** No `per`-long window holds more than `max` sends. */
function expectWithinLimit(times: readonly number[], max: number, perMs: number): void {
  for (let i = max; i < times.length; i += 1) expect((times[i] as number) - (times[i - max] as number)).toBeGreaterThanOrEqual(perMs);
}

/** Calls that take a while, so each node's two run slots fill and the plans split between the nodes. */
const limited = (per: string) => ({ limited: { server: 'scripted', tool: 'act', idempotent: false, rateLimit: { max: 2, per } } });
const ids = ['p1', 'p2', 'p3', 'p4'];

describe('rate limits and breakers across nodes (cluster)', () => {
  it('a limit of 2 per hour on two nodes: 2 calls in all, the other plans deferred by either node, none sent twice', async () => {
    const c = await cluster({ maxRetries: 0, maxConcurrentPlans: 2 }, limited('1h'));
    await c.start('a');
    await c.start('b');
    for (const id of ids) await c.ws.writePlan(`${id}.md`, actPlan(id, 'limited', 'slow:1500'), 'Approved');

    const held = await waitFor(async () => {
      const texts = await deferred(c.ws);
      return (await c.ws.list('Done')).length === 2 && texts.length === 2 ? texts : undefined;
    }, 'two plans done and two deferred', 30_000);
    for (const text of held) expect(text).toMatch(/^error: .*rate limit of limited reached \(2 per 1h\); not sent/m);
    const names = (await c.ws.calls()).map((call) => String(call.args['name']));
    expect(names).toHaveLength(2);
    expect(new Set(names).size).toBe(2);
    // Both nodes claimed plans: each alone would have let its own two calls go.
    const claimers = await c.query<{ node: string }>(`SELECT DISTINCT node FROM journal WHERE record->>'type' = 'claimed'`);
    expect(claimers.map((row) => row.node).sort()).toEqual(['a', 'b']);
    expect(await c.query('SELECT 1 FROM rate_calls')).toHaveLength(2);
    await waitFor(async () => ((await c.ws.readLog()).match(/DEFERRED - plan=p\d status=deferred error_type=rate_limit/g) ?? []).length >= 2, 'the DEFERRED lines');
    expect(await c.ws.list('Failed')).toEqual([]);
  }, 60_000);

  it('a limit of 2 per 4s on two nodes: the deferred plans run once the window allows, never more than 2 in any window', async () => {
    const c = await cluster({ maxRetries: 0, maxConcurrentPlans: 2 }, limited('4s'));
    await c.start('a');
    await c.start('b');
    for (const id of ids) await c.ws.writePlan(`${id}.md`, actPlan(id, 'limited', 'slow:1000'), 'Approved');

    await waitFor(async () => (await c.ws.list('Done')).length === 4, 'every plan in Done/', 40_000);
    expect(await c.ws.list('Failed')).toEqual([]);
    const calls = await c.ws.calls();
    expect(calls.map((call) => String(call.args['name'])).sort()).toEqual(ids);
    const counted = await c.query<{ at_ms: string }>('SELECT at_ms FROM rate_calls ORDER BY at_ms');
    expectWithinLimit(counted.map((row) => Number(row.at_ms)), 2, 4_000);
    // As the server saw it (a stdio server started on first use makes the first call late: some slack).
    const serverSide = calls.map((call) => call.at).sort((a, b) => a - b);
    expect((serverSide[2] as number) - (serverSide[0] as number)).toBeGreaterThan(2_500);
    expect(await c.ws.readLog()).toMatch(/DEFERRED - plan=p\d status=deferred error_type=rate_limit message=".*rate limit of limited reached \(2 per 4s\)/);
    const claimers = await c.query<{ node: string }>(`SELECT DISTINCT node FROM journal WHERE record->>'type' = 'claimed'`);
    expect(claimers).toHaveLength(2);
  }, 60_000);

  it("a breaker opened by node a's failures holds node b back: b defers its plan without calling the server", async () => {
    const c = await cluster({ maxRetries: 0, maxConcurrentPlans: 1 }, {}, { breaker: { failureThreshold: 2, coolDown: '1h' } });
    const a = await c.start('a');
    await c.ws.writePlan('f1.md', actPlan('f1', 'act', 'fail:server_error'), 'Approved');
    await c.ws.writePlan('f2.md', actPlan('f2', 'act', 'fail:server_error'), 'Approved');
    await waitFor(async () => (await c.ws.list('Failed')).length === 2, 'both failing plans in Failed/', 20_000);
    const [row] = await c.query<{ state: { state: string; consecutiveFailures: number }; node: string }>(`SELECT state, node FROM breakers WHERE server = 'scripted'`);
    expect(row).toMatchObject({ node: 'a', state: { state: 'open', consecutiveFailures: 2 } });

    // Node b starts fresh (its own memory knows nothing of the failures); a stops, so b claims the next plan.
    await c.start('b');
    expect(await a.stop()).toBe(0);
    await c.ws.writePlan('c.md', actPlan('c', 'act', 'ok'), 'Approved');
    const text = await waitFor(async () => {
      const current = await read(c.ws, 'In_Progress', 'c.md');
      return /^status: deferred$/m.test(current) ? current : undefined;
    }, 'c deferred by node b', 20_000);
    expect(text).toMatch(/^error: .*circuit breaker of server \\?"scripted\\?" is open after 2 consecutive failures/m);
    expect((await c.ws.calls()).map((call) => call.args['name'])).toEqual(['f1', 'f2']);
    const claimedBy = await c.query<{ node: string }>(`SELECT node FROM journal WHERE record->>'type' = 'claimed' AND record->>'name' = 'c.md'`);
    expect(claimedBy.map((r) => r.node)).toEqual(['b']);
    expect(await c.ws.readLog()).toMatch(/DEFERRED - plan=c status=deferred error_type=connection message=".*circuit breaker/);
    // A held-back call is never announced as a call.
    expect((await c.ws.readLog()).match(/CALL - scripted\.act/g)).toHaveLength(2);
  }, 60_000);
});
