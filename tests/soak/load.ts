/**
 * Load test (`npm run test:load`, not part of `npm test`): N plans of three steps dropped into Approved/
 * at once while the daemon runs, against the fault server's seeded chaos (10% transient failures, 1%
 * hangs by default). Checks: every plan accounted for, no non-idempotent step sent twice, memory bounded;
 * prints the figures. Options: --plans 1000 --seed 1 --fail-rate 0.1 --hang-rate 0.01 --timeout-ms 1000
 * --concurrency 8 --max-rss-mb 400. Exit 0 when every check holds.
 */
import { parseArgs } from 'node:util';
import { callStats, census, createSoakWorkspace, dropPlans, machine, memoryOf, startDaemon, until, within } from './harness.js';

const { values } = parseArgs({
  options: {
    plans: { type: 'string', default: '1000' },
    seed: { type: 'string', default: '1' },
    'fail-rate': { type: 'string', default: '0.1' },
    'hang-rate': { type: 'string', default: '0.01' },
    'timeout-ms': { type: 'string', default: '1000' },
    concurrency: { type: 'string', default: '8' },
    'max-rss-mb': { type: 'string', default: '400' },
    keep: { type: 'boolean', default: false },
  },
});
const count = Number(values.plans);
const seed = Number(values.seed);
const maxRssMb = Number(values['max-rss-mb']);

const ws = await createSoakWorkspace({
  seed,
  failRate: Number(values['fail-rate']),
  hangRate: Number(values['hang-rate']),
  callTimeoutMs: Number(values['timeout-ms']),
  maxConcurrentPlans: Number(values.concurrency),
  serverConcurrency: Number(values.concurrency),
});
const plans = Array.from({ length: count }, (_, i) => `load-${String(i).padStart(4, '0')}`);
const daemon = startDaemon(ws);
const pid = daemon.child.pid as number;
const samples: number[] = [];
const sampler = setInterval(() => {
  const memory = memoryOf(pid);
  if (memory) samples.push(memory.rss);
}, 250);

let failure: string | undefined;
const started = Date.now();
let dropped = 0;
try {
  await until(async () => daemon.output().includes('watching'), 30_000, 'the daemon banner');
  const idleRss = memoryOf(pid)?.rss ?? 0;
  const dropStart = Date.now();
  await dropPlans(ws, plans);
  dropped = Date.now();
  console.log(`dropped ${count} plans in ${dropped - dropStart} ms; daemon pid ${pid}, idle RSS ${idleRss.toFixed(0)} MiB`);
  let last = '';
  await until(
    async () => {
      const now = await census(ws, plans);
      const done = now.counts.Done! + now.counts.Failed! + now.counts.Needs_Review!;
      const line = `  ${((Date.now() - dropped) / 1000).toFixed(0)} s: ${done}/${count} final, ${now.counts.Approved} waiting, ${now.counts.In_Progress} in progress (${now.deferred} deferred)`;
      if (line.split(':')[1] !== last.split(':')[1]) console.log(line);
      last = line;
      return done === count;
    },
    15 * 60_000,
    'every plan in a final folder',
  );
} catch (error) {
  failure = error instanceof Error ? error.message : String(error);
}
const finished = Date.now();
clearInterval(sampler);
const peak = memoryOf(pid);
daemon.child.kill('SIGTERM');
const exitCode = await within(daemon.exited, 15_000, 'did not stop in 15 s');

const result = await census(ws, plans);
const calls = await callStats(ws);
const seconds = (finished - (dropped || started)) / 1000;
const checks: [string, boolean][] = [
  ['every plan accounted for (none lost)', result.lost.length === 0],
  ['every plan in exactly one folder', result.doubled.length === 0],
  ['every plan final (none left waiting)', result.counts.Done! + result.counts.Failed! + result.counts.Needs_Review! === count],
  ['plan contents preserved', result.mangled.length === 0],
  ['no non-idempotent step sent twice', calls.duplicateSends.length === 0],
  [`peak RSS under ${maxRssMb} MiB`, (peak?.hwm ?? Infinity) < maxRssMb],
  ['daemon exits 0 on SIGTERM', exitCode === 0],
  ['finished without timing out', failure === undefined],
];

console.log('');
console.log(`load test: ${count} plans × 3 steps, seed ${seed}, fail rate ${values['fail-rate']}, hang rate ${values['hang-rate']}, call timeout ${values['timeout-ms']} ms, ${values.concurrency} plans at once`);
console.log(`machine: ${machine()}`);
console.log(`time to drain: ${seconds.toFixed(1)} s (${(count / seconds).toFixed(1)} plans/s, ${(calls.total / seconds).toFixed(1)} calls/s)`);
console.log(`final folders: Done ${result.counts.Done}, Failed ${result.counts.Failed}, Needs_Review ${result.counts.Needs_Review}; lost ${result.lost.length}; in two folders ${result.doubled.length}`);
console.log(`calls: ${calls.total} (${calls.repeats} repeats: retries of idempotent steps and of declared transient failures; ${calls.resentAfterDeclaredFailure} of them non-idempotent steps re-sent after the server said server_error/rate_limit)`);
console.log(`duplicate sends of non-idempotent steps: ${calls.duplicateSends.length}`);
console.log(`daemon memory: peak RSS (VmHWM) ${peak?.hwm.toFixed(0)} MiB, RSS at the end ${peak?.rss.toFixed(0)} MiB, max sampled ${Math.max(...samples).toFixed(0)} MiB (${samples.length} samples)`);
for (const [what, ok] of checks) console.log(`  ${ok ? 'ok  ' : 'FAIL'} ${what}`);
if (failure) console.log(`error: ${failure}\n${daemon.output().slice(-2_000)}`);
for (const dup of calls.duplicateSends.slice(0, 10)) console.log(`  duplicate: ${dup}`);
console.log(JSON.stringify({ kind: 'load', plans: count, seed, seconds, counts: result.counts, lost: result.lost.length, duplicateSends: calls.duplicateSends.length, calls: calls.total, peakRssMb: peak?.hwm, machine: machine() }));

if (values.keep) console.log(`workspace kept: ${ws.dir}`);
else await ws.cleanup();
process.exitCode = checks.every(([, ok]) => ok) ? 0 : 1;
