#!/usr/bin/env node
/**
 * `npm run bench`: the performance figures of docs/PERFORMANCE.md, each taken in one run against the
 * no-op MCP server and, where there is one, the raw SDK client as the baseline. Prints a table and writes
 * bench/results/latest.json. Options: --only pickup,per-step,throughput,parallel,vault-scale,cold-start,
 * startup,footprint,idle-cpu,stats,cluster --quick (fewer plans and notes, for a smoke run; not for the record) --reps N --plans N (figure 3)
 * --cluster-plans N (figure 11)
 * --out FILE. Environment: BENCH_DIST (another build of dist/), BENCH_PROFILE_DIR (CPU profiles).
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { cluster, clusterRows } from './figures/cluster.mjs';
import { coldStart } from './figures/cold-start.mjs';
import { footprint } from './figures/footprint.mjs';
import { idleCpu } from './figures/idle-cpu.mjs';
import { parallel } from './figures/parallel.mjs';
import { perStep } from './figures/per-step.mjs';
import { pickup } from './figures/pickup.mjs';
import { startup } from './figures/startup.mjs';
import { statsFigure } from './figures/stats.mjs';
import { throughput } from './figures/throughput.mjs';
import { vaultScale } from './figures/vault-scale.mjs';
import { postgresInstalled } from './lib/cluster.mjs';
import { openProbe } from './lib/probe.mjs';
import { DIST, REPO_ROOT } from './lib/paths.mjs';
import { machine, row, table } from './lib/report.mjs';
import { quantile, round } from './lib/stats.mjs';

const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    quick: { type: 'boolean', default: false },
    reps: { type: 'string' },
    plans: { type: 'string' },
    'cluster-plans': { type: 'string' },
    out: { type: 'string', default: path.join(REPO_ROOT, 'bench/results/latest.json') },
  },
});
const quick = values.quick;
const settings = {
  reps: values.reps ? Number(values.reps) : 3,
  pickupPlans: quick ? 40 : 200,
  immediatePlans: quick ? 3 : 10,
  throughputPlans: values.plans ? Number(values.plans) : quick ? 200 : 1000,
  vaultNotes: quick ? 10_000 : 100_000,
  vaultReps: quick ? 3 : 5,
  perStepReps: 5,
  coldReps: 5,
  startupReps: quick ? 3 : 10,
  footprintReps: quick ? 1 : 3,
  idleReps: quick ? 1 : 3,
  idleWindowMs: quick ? 3_000 : 10_000,
  floodPerSecond: 1_000,
  statsLines: quick ? 100_000 : 1_000_000,
  clusterPlans: values['cluster-plans'] ? Number(values['cluster-plans']) : quick ? 60 : 120,
  clusterReps: values.reps ? Number(values.reps) : quick ? 1 : 3,
  clusterLeaseMs: 15_000,
};
const all = ['pickup', 'per-step', 'throughput', 'parallel', 'vault-scale', 'cold-start', 'startup', 'footprint', 'idle-cpu', 'stats', 'cluster'];
const only = values.only ? values.only.split(',').map((s) => s.trim()) : all;
for (const name of only) if (!all.includes(name)) throw new Error(`--only: unknown figure "${name}"; choose from ${all.join(', ')}`);

const log = (line) => process.stderr.write(`${line}\n`);
const perRep = (lists, q) => lists.map((list) => quantile(list, q));
const pct = (a, b) => a.map((value, i) => (value / b[i] - 1) * 100);

const figures = {
  async pickup(probe) {
    const r = await pickup({ probe, reps: settings.reps, plans: settings.pickupPlans, immediatePlans: settings.immediatePlans, log });
    const base = [r.baseline];
    const n = `${settings.pickupPlans} plans per rep, one at a time`;
    return [
      row({ figure: 1, metric: 'pickup median (drafted plan)', unit: 'ms', reps: perRep(r.drafted, 0.5), target: { op: '<=', value: 10 }, baseline: perRep(base, 0.5), note: n }),
      row({ figure: 1, metric: 'pickup p95 (drafted plan)', unit: 'ms', reps: perRep(r.drafted, 0.95), baseline: perRep(base, 0.95) }),
      row({ figure: 1, metric: 'pickup p99 (drafted plan)', unit: 'ms', reps: perRep(r.drafted, 0.99), target: { op: '<=', value: 40 }, baseline: perRep(base, 0.99) }),
      row({
        figure: 1,
        metric: 'pickup median (written + renamed at once)',
        unit: 'ms',
        reps: perRep(r.immediate, 0.5),
        target: { op: '<=', value: 25 },
        note: `${settings.immediatePlans} plans per rep; the file is complete when renamed in, so the completeness rule claims it at once`,
      }),
    ];
  },
  async 'per-step'(probe) {
    const r = await perStep({ probe, reps: settings.perStepReps, log });
    return [
      row({ figure: 2, metric: 'per step, 50-step plan (idempotent)', unit: 'ms', reps: r.idempotent, baseline: r.raw }),
      row({ figure: 2, metric: 'added per step (idempotent)', unit: 'ms', reps: r.idempotent.map((v, i) => v - r.raw[i]), target: { op: '<=', value: 2 } }),
      row({ figure: 2, metric: 'per step, 50-step plan (non-idempotent)', unit: 'ms', reps: r.nonIdempotent, baseline: r.raw }),
      row({ figure: 2, metric: 'added per step (non-idempotent)', unit: 'ms', reps: r.nonIdempotent.map((v, i) => v - r.raw[i]), target: { op: '<=', value: 2 } }),
      row({ figure: 2, metric: '50-step plan, rename → Done/', unit: 'ms', reps: r.planWall }),
      row({ figure: 2, metric: 'daemon CPU per step (idempotent)', unit: 'ms', reps: r.cpuPerStep, note: 'user + system time of the daemon process, all threads, /proc/<pid>/stat' }),
    ];
  },
  async throughput(probe) {
    const r = await throughput({ probe, reps: settings.reps, plans: settings.throughputPlans, log });
    const steps = r.plans * r.steps;
    const note = `${r.plans} plans x ${r.steps} steps, maxConcurrentPlans 4, server maxConcurrency 4`;
    return [
      row({ figure: 3, metric: `${r.plans} plans x ${r.steps} steps, all done`, unit: 's', reps: r.seconds, target: { op: '<=', value: 5 }, baseline: r.raw, note }),
      row({ figure: 3, metric: 'plans per second', unit: 'plans/s', reps: r.seconds.map((s) => r.plans / s) }),
      row({ figure: 3, metric: 'steps per second', unit: 'steps/s', reps: r.seconds.map((s) => steps / s), baseline: r.raw.map((s) => steps / s) }),
      row({ figure: 3, metric: 'daemon peak RSS', unit: 'MB', reps: r.peakRss, target: { op: '<=', value: 120 } }),
      row({ figure: 3, metric: 'daemon CPU per plan', unit: 'ms', reps: r.cpuPerPlan, target: { op: '<=', value: 5 }, note: 'user + system time of the daemon process, all threads' }),
    ];
  },
  async parallel(probe) {
    const r = await parallel({ probe, reps: settings.reps, log });
    return [
      row({ figure: 4, metric: '20 parallel 100 ms steps, rename → Done/', unit: 'ms', reps: r.wall, target: { op: '<=', value: 120 }, baseline: r.raw }),
      row({ figure: 4, metric: '20 parallel 100 ms steps, first call → Done/', unit: 'ms', reps: r.span, baseline: r.raw }),
    ];
  },
  async 'vault-scale'(probe) {
    const r = await vaultScale({ probe, reps: settings.vaultReps, notes: settings.vaultNotes, log });
    const k = `${Math.round(r.notes / 1000)}k`;
    return [
      row({ figure: 5, metric: 'start-up to ready, empty vault', unit: 'ms', reps: r.empty.readyMs, target: { op: '<=', value: 300 } }),
      row({ figure: 5, metric: `start-up to ready, ${k} notes`, unit: 'ms', reps: r.full.readyMs, target: { op: '<=', value: 300 } }),
      row({ figure: 5, metric: `start-up difference, ${k} vs empty`, unit: '%', reps: pct(r.full.readyMs, r.empty.readyMs), target: { op: '<', value: 10 } }),
      row({ figure: 5, metric: 'idle RSS, empty vault', unit: 'MB', reps: r.empty.idleRssMb }),
      row({ figure: 5, metric: `idle RSS, ${k} notes`, unit: 'MB', reps: r.full.idleRssMb }),
      row({ figure: 5, metric: `idle RSS difference, ${k} vs empty`, unit: '%', reps: pct(r.full.idleRssMb, r.empty.idleRssMb), target: { op: '<', value: 10 } }),
      row({ figure: 5, metric: 'spawn → first call of a waiting plan, empty', unit: 'ms', reps: r.empty.firstCallMs }),
      row({ figure: 5, metric: `spawn → first call of a waiting plan, ${k}`, unit: 'ms', reps: r.full.firstCallMs }),
    ];
  },
  async 'cold-start'() {
    const r = await coldStart({ reps: settings.coldReps, log });
    return [
      row({ figure: 6, metric: 'cold start: noop-server (SDK floor)', unit: 'ms', reps: r.baseline }),
      ...Object.entries(r.servers).map(([name, reps]) => row({ figure: 6, metric: `cold start: ${name}`, unit: 'ms', reps, baseline: r.baseline })),
    ];
  },
  async startup() {
    const r = await startup({ reps: settings.startupReps, log });
    return [
      row({ figure: 7, metric: 'mcp-orchestrator --help, spawn → exit', unit: 'ms', reps: r.help, target: { op: '<=', value: 150 } }),
      row({ figure: 7, metric: 'check of one plan, spawn → exit', unit: 'ms', reps: r.check, baseline: r.serverStart, note: 'baseline: the no-op server\'s own start (raw SDK: spawn → tools listed)' }),
      row({ figure: 7, metric: 'check of one plan, less the server\'s own start', unit: 'ms', reps: r.check.map((v, i) => v - r.serverStart[i]), target: { op: '<=', value: 150 } }),
      row({ figure: 7, metric: 'daemon spawn → ready, empty vault', unit: 'ms', reps: r.daemonReady, target: { op: '<=', value: 300 } }),
    ];
  },
  async footprint() {
    const r = await footprint({ reps: settings.footprintReps, log });
    const note = `the four bundled servers configured, idleTimeoutMs ${r.idleMs}; RSS of the daemon and every process below it`;
    return [
      row({ figure: 8, metric: 'daemon + bundled servers RSS, right after start', unit: 'MB', reps: r.afterStart, target: { op: '<=', value: 120 }, note }),
      row({ figure: 8, metric: 'daemon + bundled servers RSS, after one plan on each', unit: 'MB', reps: r.afterPlan, note: `${r.processesAfterPlan.join('/')} processes` }),
      row({ figure: 8, metric: 'daemon alone RSS, after one plan', unit: 'MB', reps: r.daemonAfterPlan }),
      row({ figure: 8, metric: 'daemon + bundled servers RSS, servers idled out', unit: 'MB', reps: r.afterIdle, target: { op: '<=', value: 120 } }),
      row({ figure: 8, metric: 'daemon alone RSS, idle', unit: 'MB', reps: r.daemonIdle, target: { op: '<=', value: 70 } }),
    ];
  },
  async 'idle-cpu'() {
    const r = await idleCpu({ reps: settings.idleReps, windowMs: settings.idleWindowMs, perSecond: settings.floodPerSecond, log });
    return [
      row({ figure: 9, metric: `idle daemon CPU, server flooding ${settings.floodPerSecond} log notifications/s`, unit: '% core', reps: r.flood, target: { op: '<=', value: 1 }, note: `over ${settings.idleWindowMs / 1000} s after one plan` }),
      row({ figure: 9, metric: 'idle daemon CPU, quiet server', unit: '% core', reps: r.quiet }),
      row({ figure: 9, metric: 'the flooding server\'s own CPU', unit: '% core', reps: r.server }),
    ];
  },
  async stats() {
    const r = await statsFigure({ reps: settings.reps, lines: settings.statsLines, log });
    const k = settings.statsLines.toLocaleString('en');
    return Object.entries(r).map(([variant, reps]) =>
      row({ figure: 10, metric: `stats ${variant === 'whole log' ? '' : `${variant} `}over a ${k}-line log, spawn → exit`, unit: 's', reps, target: { op: '<=', value: 2 } }),
    );
  },
  async cluster(probe) {
    if (!(await postgresInstalled())) {
      log('  cluster: skipped, PostgreSQL is not installed (initdb, pg_ctl; .ci/run installs them)');
      return [];
    }
    const r = await cluster({ probe, reps: settings.clusterReps, plans: settings.clusterPlans, leaseMs: settings.clusterLeaseMs, log });
    return clusterRows(r);
  },
};

const probe = await openProbe();
const loadBefore = os.loadavg();
const rows = [];
const started = Date.now();
try {
  for (const name of only) {
    log(`figure ${name}...`);
    probe.reset();
    const before = os.loadavg()[0];
    const figureRows = await figures[name](probe);
    // Other work on the machine skews each figure: its load average goes with it.
    const load = { before: round(before, 2), after: round(os.loadavg()[0], 2) };
    log(`  ${name}: load average ${load.before} → ${load.after}`);
    rows.push(...figureRows.map((r) => ({ ...r, load })));
  }
} finally {
  await probe.close();
}
const result = {
  generatedAt: new Date().toISOString(),
  durationS: Math.round((Date.now() - started) / 1000),
  machine: machine(),
  /** 1-minute load average before and after: other work on the machine skews every figure. */
  loadAverage: { before: round(loadBefore[0], 2), after: round(os.loadavg()[0], 2) },
  build: path.relative(REPO_ROOT, DIST) || DIST,
  settings: { ...settings, quick, figures: only },
  rows,
};
process.stdout.write(`${table(rows)}\n`);
process.stdout.write(
  `\n${result.machine.nproc} x ${result.machine.cpu}, node ${result.machine.node}; load ${result.loadAverage.before} → ${result.loadAverage.after}; ${result.durationS} s\n`,
);
await mkdir(path.dirname(values.out), { recursive: true });
const temp = `${values.out}.tmp`;
await writeFile(temp, `${JSON.stringify(result, null, 2)}\n`);
await rename(temp, values.out);
log(`wrote ${path.relative(process.cwd(), values.out)}`);
