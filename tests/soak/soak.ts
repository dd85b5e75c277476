/**
 * Kill soak (`npm run test:soak -- --cycles N`, not in CI): each cycle drops a few plans, starts the
 * daemon, SIGKILLs it at a random moment (seeded), and checks the invariants of SPEC §9 on what the
 * crash left: every plan in exactly one folder with its content, no non-idempotent step sent twice.
 * After the last cycle the daemon runs undisturbed until every plan is final, and the same checks run
 * once more. Options: --cycles 200 --seed 7 --plans-per-cycle 4 --max-kill-ms 1500 --max-delay-ms 150
 * --fail-rate 0.1 --hang-rate 0.01 --timeout-ms 800. Prints the figures; exit 0 when every invariant held.
 */
import { parseArgs } from 'node:util';
import { callStats, census, createSoakWorkspace, dropPlans, machine, memoryOf, prng, startDaemon, until, within } from './harness.js';

const { values } = parseArgs({
  options: {
    cycles: { type: 'string', default: '200' },
    seed: { type: 'string', default: '7' },
    'plans-per-cycle': { type: 'string', default: '4' },
    'max-kill-ms': { type: 'string', default: '1500' },
    'max-delay-ms': { type: 'string', default: '150' },
    'fail-rate': { type: 'string', default: '0.1' },
    'hang-rate': { type: 'string', default: '0.01' },
    'timeout-ms': { type: 'string', default: '800' },
    keep: { type: 'boolean', default: false },
  },
});
const cycles = Number(values.cycles);
const seed = Number(values.seed);
const perCycle = Number(values['plans-per-cycle']);
const maxKillMs = Number(values['max-kill-ms']);
const random = prng(seed);
/** About how long the daemon takes to print its banner here; kills in this window hit start-up. */
const STARTUP_WINDOW_MS = 800;

const ws = await createSoakWorkspace({
  seed,
  failRate: Number(values['fail-rate']),
  hangRate: Number(values['hang-rate']),
  callTimeoutMs: Number(values['timeout-ms']),
  maxConcurrentPlans: 4,
  serverConcurrency: 4,
  maxDelayMs: Number(values['max-delay-ms']),
});
const plans: string[] = [];
const violations: string[] = [];
let restarts = 0;
let killedBeforeBanner = 0;
let peakRss = 0;
const started = Date.now();

async function checkInvariants(when: string): Promise<void> {
  const now = await census(ws, plans);
  const calls = await callStats(ws);
  for (const plan of now.lost) violations.push(`${when}: ${plan} is in no folder (lost)`);
  for (const plan of now.doubled) violations.push(`${when}: ${plan} is in ${now.where.get(plan)?.join(' and ')}`);
  for (const plan of now.mangled) violations.push(`${when}: ${plan} lost part of its content`);
  for (const dup of calls.duplicateSends) {
    const line = `${when}: non-idempotent step sent twice: ${dup}`;
    if (!violations.some((v) => v.endsWith(dup))) violations.push(line);
  }
}

for (let cycle = 1; cycle <= cycles; cycle++) {
  const batch = Array.from({ length: perCycle }, (_, k) => `soak-${String(cycle).padStart(4, '0')}-${k}`);
  await dropPlans(ws, batch);
  plans.push(...batch);
  const daemon = startDaemon(ws);
  // The moment: a quarter of the kills land during start-up (recovery, first claims), the rest at a
  // random time after the banner, while plans run.
  const duringStartup = random() < 0.25;
  const killAfter = Math.floor(random() * (duringStartup ? STARTUP_WINDOW_MS : maxKillMs));
  if (!duringStartup) await until(async () => daemon.output().includes('watching') || daemon.child.exitCode !== null, 30_000, 'the banner');
  await within(daemon.exited, killAfter, 'alive');
  if (!daemon.output().includes('watching')) killedBeforeBanner++;
  peakRss = Math.max(peakRss, memoryOf(daemon.child.pid as number)?.hwm ?? 0);
  daemon.child.kill('SIGKILL');
  const code = await daemon.exited;
  if (code !== 'SIGKILL') violations.push(`cycle ${cycle}: the daemon ended by itself (${code}): ${daemon.output().slice(-500)}`);
  else restarts++;
  await checkInvariants(`after kill ${cycle} (at ${killAfter} ms)`);
  if (cycle % 20 === 0 || cycle === cycles) {
    const now = await census(ws, plans);
    console.log(`cycle ${cycle}/${cycles}: ${plans.length} plans; ${JSON.stringify(now.counts)}; violations so far ${violations.length}`);
  }
}

// Drain: the daemon runs undisturbed until every plan is final.
const drain = startDaemon(ws);
let drainError: string | undefined;
try {
  // SIGTERM before the banner would meet a process still loading its modules, without its handlers.
  await until(async () => drain.output().includes('watching'), 30_000, 'the banner of the last run');
  await until(
    async () => {
      const now = await census(ws, plans);
      return now.counts.Done! + now.counts.Failed! + now.counts.Needs_Review! === plans.length;
    },
    5 * 60_000,
    'every plan to reach a final folder after the last kill',
  );
} catch (error) {
  drainError = error instanceof Error ? error.message : String(error);
  violations.push(`drain: ${drainError}`);
}
peakRss = Math.max(peakRss, memoryOf(drain.child.pid as number)?.hwm ?? 0);
drain.child.kill('SIGTERM');
const drainExit = await within(drain.exited, 15_000, 'did not stop in 15 s');
if (drainExit !== 0) violations.push(`drain: the daemon exited with ${drainExit} on SIGTERM`);
await checkInvariants('after the drain');

const final = await census(ws, plans);
const calls = await callStats(ws);
const minutes = (Date.now() - started) / 60_000;
console.log('');
console.log(`kill soak: ${cycles} cycles, seed ${seed}, ${perCycle} plans per cycle, kills at 0–${maxKillMs} ms after the banner (1 in 4 during start-up), answers delayed 0–${values['max-delay-ms']} ms, fail rate ${values['fail-rate']}, hang rate ${values['hang-rate']}`);
console.log(`machine: ${machine()}; ${minutes.toFixed(1)} min`);
console.log(`plans dropped: ${plans.length}`);
console.log(`final folders: Done ${final.counts.Done}, Failed ${final.counts.Failed}, Needs_Review ${final.counts.Needs_Review}; still waiting ${final.counts.Approved! + final.counts.In_Progress!}`);
console.log(`duplicate calls of non-idempotent steps: ${calls.duplicateSends.length}`);
console.log(`lost plans: ${final.lost.length}; plans in two folders: ${final.doubled.length}; plans with content lost: ${final.mangled.length}`);
console.log(`restarts (SIGKILL then start): ${restarts} (${killedBeforeBanner} killed before the banner, during start-up or recovery)`);
console.log(`calls: ${calls.total}; non-idempotent re-sends after a declared failure: ${calls.resentAfterDeclaredFailure}; daemon peak RSS ${peakRss.toFixed(0)} MiB`);
console.log(`invariant violations: ${violations.length}`);
for (const violation of violations.slice(0, 20)) console.log(`  ${violation}`);
console.log(
  JSON.stringify({ kind: 'soak', cycles, seed, plans: plans.length, counts: final.counts, duplicates: calls.duplicateSends.length, lost: final.lost.length, restarts, violations: violations.length, minutes, machine: machine() }),
);
if (values.keep) console.log(`workspace kept: ${ws.dir}`);
else await ws.cleanup();
process.exitCode = violations.length === 0 ? 0 : 1;
