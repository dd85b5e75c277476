/**
 * Figure 2, per-step overhead: one plan of 50 sequential no-op steps through the daemon versus 50
 * callTool in a loop with the raw SDK client on the same server. The per-step time is the interval
 * between the server's receipt of step 1 and of step 50, divided by 49: pickup and finalization are
 * left out, the journal (fsynced), plan-file updates and audit log of each step are in.
 * Two variants: an idempotent action, and a non-idempotent one (its intent must be on disk before the
 * request leaves, SPEC §9.4).
 */
import { access, rename, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { startDaemon } from '../lib/daemon.mjs';
import { NOOP_SERVER } from '../lib/paths.mjs';
import { connectRaw } from '../lib/raw-client.mjs';
import { hrNow, msBetween, sleep, until } from '../lib/time.mjs';
import { createWorkspace, multiStepPlan } from '../lib/workspace.mjs';

const STEPS = 50;

export async function perStep({ probe, reps, log }) {
  const ws = await createWorkspace({
    probePort: probe.port,
    actions: { noop_once: { server: 'noop', tool: 'noop', idempotent: false } },
  });
  const daemon = startDaemon(ws.configPath);
  try {
    await daemon.ready;
    await runPlan(ws, probe, 'seq-warm', 'noop'); // starts the server
    const idempotent = [];
    const nonIdempotent = [];
    const planWall = [];
    const cpuPerStep = [];
    for (let rep = 0; rep < reps; rep += 1) {
      const cpu0 = await daemon.cpuMs();
      const a = await runPlan(ws, probe, `seq${rep}`, 'noop');
      cpuPerStep.push((await daemon.cpuMs() - cpu0) / STEPS);
      const b = await runPlan(ws, probe, `once${rep}`, 'noop_once');
      idempotent.push(a.perStepMs);
      nonIdempotent.push(b.perStepMs);
      planWall.push(a.wallMs);
      log(`  per-step rep ${rep + 1}: idempotent ${a.perStepMs.toFixed(2)} ms, non-idempotent ${b.perStepMs.toFixed(2)} ms, plan ${a.wallMs.toFixed(0)} ms`);
    }
    const raw = [];
    for (let rep = 0; rep < reps; rep += 1) raw.push(await rawLoop(probe, `raw${rep}`));
    return { idempotent, nonIdempotent, planWall, cpuPerStep, raw };
  } finally {
    await daemon.stop().catch((error) => log(String(error)));
    await ws.cleanup();
  }
}

async function runPlan(ws, probe, id, action) {
  const draft = path.join(ws.folder('Plans'), `${id}.md`);
  await writeFile(draft, multiStepPlan(id, STEPS, { action }));
  const old = new Date(Date.now() - 60_000);
  await utimes(draft, old, old);
  const t0 = hrNow();
  await rename(draft, path.join(ws.folder('Approved'), `${id}.md`));
  const first = await probe.waitFor((r) => r.tag === `${id}-1`, 10_000, `${id} step 1`);
  const last = await probe.waitFor((r) => r.tag === `${id}-${STEPS}`, 30_000, `${id} step ${STEPS}`);
  await until(() => access(path.join(ws.folder('Done'), `${id}.md`)).then(() => true, () => false), `${id} in Done/`);
  const wallMs = msBetween(t0, hrNow());
  await sleep(20);
  return { perStepMs: msBetween(first.hr, last.hr) / (STEPS - 1), wallMs };
}

async function rawLoop(probe, id) {
  const raw = await connectRaw(NOOP_SERVER, { PROBE_PORT: String(probe.port) });
  try {
    await raw.client.callTool({ name: 'noop', arguments: { tag: `${id}-warm` } });
    for (let n = 1; n <= STEPS; n += 1) await raw.client.callTool({ name: 'noop', arguments: { tag: `${id}-${n}` } });
    const first = await probe.waitFor((r) => r.tag === `${id}-1`);
    const last = await probe.waitFor((r) => r.tag === `${id}-${STEPS}`);
    return msBetween(first.hr, last.hr) / (STEPS - 1);
  } finally {
    await raw.close();
  }
}
