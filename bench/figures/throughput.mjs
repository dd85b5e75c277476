/**
 * Figure 3, throughput: 1,000 plans of 3 steps renamed into Approved/ at once (drafted beforehand), with
 * the default configuration (maxConcurrentPlans 4, server maxConcurrency 4). From the first rename to
 * the last plan in Done/; peak RSS of the daemon process (VmHWM). Baseline: the raw SDK client making
 * the same 3,000 calls, 4 in flight.
 */
import { readdir, rename, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { startDaemon } from '../lib/daemon.mjs';
import { NOOP_SERVER } from '../lib/paths.mjs';
import { connectRaw } from '../lib/raw-client.mjs';
import { hrNow, msBetween, until } from '../lib/time.mjs';
import { createWorkspace, multiStepPlan } from '../lib/workspace.mjs';

const STEPS = 3;

export async function throughput({ probe, reps, plans, log }) {
  const seconds = [];
  const peakRss = [];
  const cpuPerPlan = [];
  const raw = [];
  for (let rep = 0; rep < reps; rep += 1) {
    const ws = await createWorkspace({ probePort: probe.port });
    const daemon = startDaemon(ws.configPath);
    try {
      const old = new Date(Date.now() - 60_000);
      const names = [];
      for (let i = 0; i < plans; i += 1) {
        const name = `t${rep}-${String(i).padStart(4, '0')}.md`;
        const file = path.join(ws.folder('Plans'), name);
        await writeFile(file, multiStepPlan(`t${rep}-${i}`, STEPS));
        await utimes(file, old, old);
        names.push(name);
      }
      await daemon.ready;
      // Warm-up plan: the server is started and its tools listed before the clock starts.
      await writeFile(path.join(ws.folder('Plans'), 'warm.md'), multiStepPlan(`warm${rep}`, 1));
      await utimes(path.join(ws.folder('Plans'), 'warm.md'), old, old);
      await rename(path.join(ws.folder('Plans'), 'warm.md'), path.join(ws.folder('Approved'), 'warm.md'));
      await until(async () => (await ws.list('Done')).length === 1, 'the warm-up plan in Done/', 20_000, 5);
      const cpu0 = await daemon.cpuMs();
      const t0 = hrNow();
      for (const name of names) await rename(path.join(ws.folder('Plans'), name), path.join(ws.folder('Approved'), name));
      await until(async () => (await readdir(ws.folder('Done'))).length >= plans + 1, `${plans} plans in Done/`, 300_000, 20);
      const s = msBetween(t0, hrNow()) / 1000;
      const memory = await daemon.memory();
      cpuPerPlan.push((await daemon.cpuMs() - cpu0) / plans);
      seconds.push(s);
      peakRss.push(memory.peakRssMb);
      const failed = (await ws.list('Failed')).length + (await ws.list('Needs_Review')).length;
      if (failed > 0) throw new Error(`throughput: ${failed} plans did not end in Done/`);
      log(`  throughput rep ${rep + 1}: ${s.toFixed(2)} s (${(plans / s).toFixed(0)} plans/s), peak RSS ${memory.peakRssMb.toFixed(0)} MB`);
    } finally {
      await daemon.stop().catch((error) => log(String(error)));
      await ws.cleanup();
    }
    raw.push(await rawThroughput(plans * STEPS, 4));
  }
  return { seconds, peakRss, cpuPerPlan, raw, plans, steps: STEPS };
}

/** Seconds for `calls` raw callTool with `inFlight` at once. */
async function rawThroughput(calls, inFlight) {
  const conn = await connectRaw(NOOP_SERVER);
  try {
    await conn.client.callTool({ name: 'noop', arguments: {} });
    let next = 0;
    const t0 = hrNow();
    const worker = async () => {
      while (next < calls) {
        next += 1;
        await conn.client.callTool({ name: 'noop', arguments: { tag: `r${next}` } });
      }
    };
    await Promise.all(Array.from({ length: inFlight }, worker));
    return msBetween(t0, hrNow()) / 1000;
  } finally {
    await conn.close();
  }
}
