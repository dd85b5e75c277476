/**
 * Figure 1, pickup latency: rename into Approved/ → the server receives the plan's first tools/call.
 * One plan at a time. "Drafted": written well before (older than daemon.stabilityMs), then renamed in,
 * as a human approving a drafted plan does. "Immediate": written and renamed at once, so the daemon
 * must wait the stability window (a fresh mtime may be a file still being written).
 * Baseline: the raw SDK client's callTool → receipt on a warm connection (the transport's own cost).
 */
import { writeFile, rename, access, utimes } from 'node:fs/promises';
import path from 'node:path';
import { startDaemon } from '../lib/daemon.mjs';
import { connectRaw } from '../lib/raw-client.mjs';
import { NOOP_SERVER } from '../lib/paths.mjs';
import { quantile } from '../lib/stats.mjs';
import { hrNow, msBetween, sleep, until } from '../lib/time.mjs';
import { createWorkspace, singleStepPlan } from '../lib/workspace.mjs';

export async function pickup({ probe, reps, plans, immediatePlans, log }) {
  const ws = await createWorkspace({ probePort: probe.port });
  const daemon = startDaemon(ws.configPath);
  try {
    await daemon.ready;
    // Warm-up: the first plan starts the server (lazy connect) and lists its tools; that is figure 6's business.
    await runOne(ws, probe, 'warm-0', { drafted: false });
    await runOne(ws, probe, 'warm-1', { drafted: false });
    const drafted = [];
    const immediate = [];
    for (let rep = 0; rep < reps; rep += 1) {
      const ids = Array.from({ length: plans }, (_, i) => `d${rep}-${i}`);
      // Drafted a while ago: as old as a plan a human reviewed before approving it.
      const old = new Date(Date.now() - 60_000);
      for (const id of ids) {
        const file = path.join(ws.folder('Plans'), `${id}.md`);
        await writeFile(file, singleStepPlan(id));
        await utimes(file, old, old);
      }
      const latencies = [];
      for (const id of ids) latencies.push(await runOne(ws, probe, id, { drafted: true }));
      drafted.push(latencies);
      const quick = [];
      for (let i = 0; i < immediatePlans; i += 1) quick.push(await runOne(ws, probe, `i${rep}-${i}`, { drafted: false }));
      immediate.push(quick);
      log(`  pickup rep ${rep + 1}: median ${quantile(latencies, 0.5).toFixed(2)} ms, p99 ${quantile(latencies, 0.99).toFixed(2)} ms; immediate median ${quantile(quick, 0.5).toFixed(1)} ms`);
    }
    const baseline = await rawCallLatency(probe, plans);
    return { drafted, immediate, baseline };
  } finally {
    await daemon.stop().catch((error) => log(String(error)));
    await ws.cleanup();
  }
}

/** Approves one plan by rename; returns ms from the rename to the server's receipt of its call. */
async function runOne(ws, probe, id, { drafted }) {
  const draft = path.join(ws.folder('Plans'), `${id}.md`);
  if (!drafted) await writeFile(draft, singleStepPlan(id));
  const t0 = hrNow();
  await rename(draft, path.join(ws.folder('Approved'), `${id}.md`));
  const call = await probe.waitFor((r) => r.tag === id, 10_000, `the call of plan ${id}`);
  const done = path.join(ws.folder('Done'), `${id}.md`);
  await until(() => access(done).then(() => true, () => false), `${id} in Done/`, 10_000);
  await sleep(5); // let the daemon go idle: one plan at a time, not back to back
  return msBetween(t0, call.hr);
}

/** Raw SDK, warm connection: ms from callTool to the server's receipt, `count` times. */
export async function rawCallLatency(probe, count) {
  const raw = await connectRaw(NOOP_SERVER, { PROBE_PORT: String(probe.port) });
  try {
    await raw.client.callTool({ name: 'noop', arguments: { tag: 'raw-warm' } });
    const latencies = [];
    for (let i = 0; i < count; i += 1) {
      const tag = `raw-${i}`;
      const t0 = hrNow();
      await raw.client.callTool({ name: 'noop', arguments: { tag } });
      const call = await probe.waitFor((r) => r.tag === tag, 5_000, tag);
      latencies.push(msBetween(t0, call.hr));
    }
    return latencies;
  } finally {
    await raw.close();
  }
}
