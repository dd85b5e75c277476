/**
 * Figure 11, several hosts: `plans` plans of 1 or 2 no-op steps (alternating) drafted beforehand, then
 * renamed into Approved/ at once, on one shared vault folder worked by 1, 2 and 3 daemons in cluster mode
 * (SPEC §12: one config with `cluster`, each daemon its own ORCHESTRATOR_NODE; a real PostgreSQL on
 * loopback from a temporary data directory, a fresh database per run), and by one daemon without
 * `cluster` (the embedded journal file) as the baseline. Default execution settings on every node.
 * From the first rename to the last plan in Done/; each plan's latency from its own rename to its
 * arrival in Done/ (inotify on Done/). Where the time goes: CPU of the daemons and of PostgreSQL per
 * plan, the share of all cores busy, database transactions per plan.
 */
import { watch } from 'node:fs';
import { readdir, rename, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { cpuMsOf, descendantsOf, startDaemon } from '../lib/daemon.mjs';
import { busyPercent, guarded, machineCpu, postgresCpuMs, startPostgres, transactions } from '../lib/cluster.mjs';
import { row } from '../lib/report.mjs';
import { quantile } from '../lib/stats.mjs';
import { hrNow, msBetween, until } from '../lib/time.mjs';
import { createWorkspace, multiStepPlan } from '../lib/workspace.mjs';

/** 0: one daemon without `cluster`; n > 0: n nodes on PostgreSQL. */
export const CLUSTER_SIZES = [0, 1, 2, 3];

export async function cluster({ probe, reps, plans, leaseMs, log }) {
  const postgres = await startPostgres();
  log(`  PostgreSQL on 127.0.0.1:${postgres.port}, a temporary data directory`);
  return guarded(postgres, async (guard) => {
    const runs = Object.fromEntries(CLUSTER_SIZES.map((n) => [n, []]));
    for (let rep = 0; rep < reps; rep += 1) {
      // Each repetition starts with another size, so a busy spell on the machine does not always hit the same one.
      const order = CLUSTER_SIZES.map((_, i) => CLUSTER_SIZES[(i + rep) % CLUSTER_SIZES.length]);
      for (const nodes of order) {
        const run = await once({ probe, postgres, guard, plans, nodes, leaseMs, tag: `c${rep}n${nodes}` });
        runs[nodes].push(run);
        log(`  cluster rep ${rep + 1}, ${label(nodes)}: ${run.seconds.toFixed(2)} s (${(plans / run.seconds).toFixed(0)} plans/s), p50 ${run.p50.toFixed(0)} ms, p95 ${run.p95.toFixed(0)} ms, cores busy ${run.busy.toFixed(0)}%, load ${run.load.toFixed(1)}`);
      }
    }
    const r = { runs, plans, steps: stepsOf(plans), leaseMs };
    log(`  cluster: 3 nodes vs 1 node ${quantile(speedUp(r), 0.5).toFixed(2)}x, ${verdict(r)}`);
    return r;
  });
}

/** The table rows of figure 11; the baseline column holds the no-cluster daemon's value of each row. */
export function clusterRows(r) {
  const of = (n, key) => r.runs[n].map((run) => run[key]);
  const rate = (n) => plansPerSecond(r, n);
  const vs = (n, key) => (n === 0 ? undefined : of(0, key));
  const rows = [];
  for (const n of CLUSTER_SIZES) {
    const loads = `1-minute load average at each approval: ${of(n, 'load').map((l) => l.toFixed(1)).join(', ')}`;
    const note = n === 0 ? `${r.plans} plans (${r.steps} steps) approved at once; baseline column: one daemon without cluster; ${loads}` : loads;
    rows.push(
      row({ figure: 11, metric: `plans per second, ${label(n)}`, unit: 'plans/s', reps: rate(n), baseline: n === 0 ? undefined : rate(0), note }),
      row({ figure: 11, metric: `approval → Done/ p50, ${label(n)}`, unit: 'ms', reps: of(n, 'p50'), baseline: vs(n, 'p50') }),
      row({ figure: 11, metric: `approval → Done/ p95, ${label(n)}`, unit: 'ms', reps: of(n, 'p95'), baseline: vs(n, 'p95') }),
      row({ figure: 11, metric: `daemon CPU per plan (all nodes), ${label(n)}`, unit: 'ms', reps: of(n, 'daemonCpuPerPlan'), baseline: vs(n, 'daemonCpuPerPlan') }),
      ...(n === 0
        ? []
        : [
            row({ figure: 11, metric: `PostgreSQL CPU per plan, ${label(n)}`, unit: 'ms', reps: of(n, 'postgresCpuPerPlan') }),
            row({ figure: 11, metric: `database transactions per plan, ${label(n)}`, unit: 'xact', reps: of(n, 'transactionsPerPlan'), note: 'heartbeats included' }),
          ]),
      row({ figure: 11, metric: `CPU per plan, daemons + servers + PostgreSQL, ${label(n)}`, unit: 'ms', reps: of(n, 'allCpuPerPlan'), baseline: vs(n, 'allCpuPerPlan') }),
      row({ figure: 11, metric: `cores busy (whole machine, other work too), ${label(n)}`, unit: '%', reps: of(n, 'busy') }),
    );
  }
  rows.push(row({ figure: 11, metric: 'throughput, 3 nodes vs 1 node', unit: 'x', reps: speedUp(r), note: verdict(r) }));
  return rows;
}

const plansPerSecond = (r, nodes) => r.runs[nodes].map((run) => r.plans / run.seconds);
const speedUp = (r) => plansPerSecond(r, 3).map((v, i) => v / plansPerSecond(r, 1)[i]);

/** What the 1 → 3 node figure means on this machine: on 2 cores the nodes only share the same CPU. */
function verdict(r) {
  const cores = os.availableParallelism();
  if (cores <= 2) return `${cores} cores: the nodes and PostgreSQL share them, so this shows the overhead of more nodes, not a speed-up`;
  return quantile(speedUp(r), 0.5) >= 1.2 ? `a speed-up on ${cores} cores` : `no speed-up on ${cores} cores: more nodes add CPU per plan, not capacity`;
}

export const label = (nodes) => (nodes === 0 ? 'no cluster' : `${nodes} node${nodes > 1 ? 's' : ''}`);
const stepCount = (i) => 1 + (i % 2);
const stepsOf = (plans) => Array.from({ length: plans }, (_, i) => stepCount(i)).reduce((a, b) => a + b, 0);

async function once({ probe, postgres, guard, plans, nodes, leaseMs, tag }) {
  const database = nodes > 0 ? tag : undefined;
  const url = database ? await postgres.createDatabase(database) : undefined;
  const ws = await createWorkspace({
    probePort: probe.port,
    ...(url ? { cluster: { postgres: '${DATABASE_URL}', node: '${ORCHESTRATOR_NODE}', leaseMs } } : {}),
  });
  const daemons = [];
  try {
    const old = new Date(Date.now() - 60_000);
    const draft = async (name, text) => {
      await writeFile(path.join(ws.folder('Plans'), name), text);
      await utimes(path.join(ws.folder('Plans'), name), old, old);
    };
    const approve = (name) => rename(path.join(ws.folder('Plans'), name), path.join(ws.folder('Approved'), name));
    const names = [];
    for (let i = 0; i < plans; i += 1) {
      names.push(`${tag}-${String(i).padStart(4, '0')}.md`);
      await draft(names[i], multiStepPlan(`${tag}-${i}`, stepCount(i)));
    }
    for (let n = 1; n <= Math.max(1, nodes); n += 1) {
      const env = url ? { DATABASE_URL: url, ORCHESTRATOR_NODE: `n${n}` } : {};
      daemons.push(guard.track(startDaemon(ws.configPath, { env })));
    }
    await Promise.all(daemons.map((d) => d.ready));
    const warmed = await warmUp({ probe, ws, draft, approve, nodes: daemons.length, tag });

    const arrived = new Map();
    const watcher = watch(ws.folder('Done'), (_event, name) => {
      if (name && !arrived.has(name)) arrived.set(name, hrNow());
    });
    const cpu0 = await Promise.all(daemons.map((d) => d.cpuMs()));
    const servers0 = await serversCpuMs(daemons);
    const pg0 = url ? await postgresCpuMs(postgres.port) : 0;
    const xacts0 = url ? await transactions(postgres.url, database) : 0;
    const machine0 = await machineCpu();
    const loadBefore = os.loadavg()[0];
    const approvedAt = new Map();
    const t0 = hrNow();
    try {
      for (const name of names) {
        approvedAt.set(name, hrNow());
        await approve(name);
      }
      await until(async () => (await readdir(ws.folder('Done'))).length >= plans + warmed, `${plans} plans in Done/ (${label(nodes)})`, 300_000, 50);
    } finally {
      watcher.close();
    }
    const polledAt = hrNow();
    const machine1 = await machineCpu();
    const cpu1 = await Promise.all(daemons.map((d) => d.cpuMs()));
    const servers1 = await serversCpuMs(daemons);
    const pg1 = url ? await postgresCpuMs(postgres.port) : 0;
    const failed = (await ws.list('Failed')).length + (await ws.list('Needs_Review')).length;
    if (failed > 0) throw new Error(`cluster (${label(nodes)}): ${failed} plans did not end in Done/`);
    // A rename inotify did not report (it would be a lost event) counts as seen when the poll saw it.
    const latencies = names.map((name) => msBetween(approvedAt.get(name), arrived.get(name) ?? polledAt));
    const last = names.reduce((latest, name) => ((arrived.get(name) ?? polledAt) > latest ? (arrived.get(name) ?? polledAt) : latest), t0);
    for (const daemon of daemons) await daemon.stop();
    // Each backend reports its counts when its connection closes: read them once the daemons are gone.
    const xacts1 = url ? await transactions(postgres.url, database) : 0;
    const daemonCpuPerPlan = cpu1.reduce((sum, ms, i) => sum + ms - cpu0[i], 0) / plans;
    const postgresCpuPerPlan = (pg1 - pg0) / plans;
    return {
      seconds: msBetween(t0, last) / 1000,
      p50: quantile(latencies, 0.5),
      p95: quantile(latencies, 0.95),
      daemonCpuPerPlan,
      postgresCpuPerPlan,
      allCpuPerPlan: daemonCpuPerPlan + postgresCpuPerPlan + (servers1 - servers0) / plans,
      busy: busyPercent(machine0, machine1),
      /** The 1-minute load average when the plans were approved: other work takes its share of the cores. */
      load: loadBefore,
      transactionsPerPlan: url ? (xacts1 - xacts0) / plans : 0,
    };
  } finally {
    await Promise.all(daemons.map((d) => d.kill()));
    await ws.cleanup();
  }
}

/** CPU time the daemons' servers (their child processes) have used so far, in ms. */
async function serversCpuMs(daemons) {
  let ms = 0;
  for (const daemon of daemons) for (const pid of await descendantsOf(daemon.pid)) ms += await cpuMsOf(pid).catch(() => 0);
  return ms;
}

/**
 * Every node's no-op server started and its tools listed before the clock starts: warm-up plans until
 * calls came from as many server processes as there are nodes, all of them in Done/. Returns their count.
 */
async function warmUp({ probe, ws, draft, approve, nodes, tag }) {
  let count = 0;
  const servers = () => new Set(probe.received.filter((r) => r.tag?.startsWith(`${tag}-warm`)).map((r) => r.pid)).size;
  for (let round = 0; round < 20 && (count === 0 || servers() < nodes); round += 1) {
    const batch = Array.from({ length: 2 * nodes }, (_, k) => `${tag}-warm${count + k}`);
    for (const id of batch) await draft(`${id}.md`, multiStepPlan(id, 1));
    for (const id of batch) await approve(`${id}.md`);
    count += batch.length;
    await until(async () => (await ws.list('Done')).length >= count, 'the warm-up plans in Done/', 60_000, 10);
  }
  if (servers() < nodes) throw new Error(`cluster: after ${count} warm-up plans only ${servers()} of ${nodes} nodes had called their server`);
  return count;
}
