/**
 * Several hosts (SPEC §12): the `deliveries` table (one row per approval's bytes) does not grow for the
 * cluster's whole life. Real daemons, a real PostgreSQL. While an ended approval is remembered, a file with
 * its exact bytes is a copy, left where it is; once its delivery was quiet for `daemon.journalRetention`,
 * compaction deletes it and the same bytes approved again are a new approval, and run. The database's clock
 * cannot be moved, so the test moves the row's time back, as pg-compact.test.ts does with the journal.
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { clusterSuite } from '../helpers/cluster-suite.js';
import { waitFor } from '../helpers/daemon-process.js';

const suite = clusterSuite();

const plan = (id: string) => ['---', `id: ${id}`, '---', '## Steps', '- [ ] send', '  ```yaml', '  action: act', `  name: ${id}-send`, '  script: ["ok"]', '  ```', ''].join('\n');

describe('ended deliveries in the cluster database', () => {
  it('past the retention they are gone after compaction, and a fresh approval of the same content runs', async () => {
    // Every record written triggers a compaction, so each plan that ends compacts what ended before it.
    const c = await suite.cluster({ workspace: { daemon: { scanIntervalMs: 300, journalMaxBytes: 1, journalRetention: '1h' } } });
    await c.start('a');
    const deliveries = async () => (await c.query<{ approval: string; ended: boolean }>('SELECT approval, ended FROM deliveries'));
    const done = async (n: number) => waitFor(async () => (await c.ws.list('Done')).length === n, `${n} plan(s) in Done/`, 30_000);
    const runPlan = async (name: string, n: number) => {
      await c.ws.writePlan(name, plan(name.replace('.md', '')), 'Approved');
      await done(n);
    };

    await runPlan('first.md', 1);
    await runPlan('second.md', 2); // its records compact first's away: first's delivery is marked ended
    await waitFor(async () => (await deliveries()).some((row) => row.ended), "first's delivery to be marked ended", 30_000);
    const rows = await deliveries();
    expect(rows).toHaveLength(2);
    const first = rows.find((row) => row.ended)?.approval;

    // Within the retention, the same bytes again are a copy of that approval: left in Approved/, not run.
    await c.ws.writePlan('first-again.md', plan('first'), 'Approved');
    await waitFor(async () => (await c.ws.readLog()).includes('Approved/first-again.md is a copy of an approval node a took'), 'the copy to be turned away', 30_000);
    expect(await c.ws.list('Approved')).toEqual(['first-again.md']);
    expect((await c.ws.calls()).map((call) => call.args['name'])).toEqual(['first-send', 'second-send']);
    await rm(path.join(c.ws.vault, 'Approved', 'first-again.md'));

    // Quiet for longer than the retention: the next compaction deletes that ended delivery.
    await c.query(`UPDATE deliveries SET seen_at = clock_timestamp() - interval '2 hours' WHERE ended`);
    await runPlan('third.md', 3);
    await waitFor(async () => !(await deliveries()).some((row) => row.approval === first), "first's delivery to be deleted", 30_000);
    // second's ended only now (its records compacted by third's): kept for the retention.
    expect(await deliveries()).toHaveLength(2);

    // The same content approved anew runs: a new approval, a second call, a second file in Done/.
    await c.ws.writePlan('first-once-more.md', plan('first'), 'Approved');
    await done(4);
    expect((await c.ws.calls()).map((call) => call.args['name'])).toEqual(['first-send', 'second-send', 'third-send', 'first-send']);
  }, 120_000);
});
