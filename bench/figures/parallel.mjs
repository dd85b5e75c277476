/**
 * Figure 4, parallel: one plan of 20 independent steps on a tool that takes 100 ms, server
 * maxConcurrency 20. Wall time from the rename into Approved/ to the plan in Done/ (what a user sees),
 * and the span from the first call received to the plan in Done/. Baseline: the raw SDK client sending
 * the same 20 calls at once.
 */
import { access, rename, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { startDaemon } from '../lib/daemon.mjs';
import { NOOP_SERVER } from '../lib/paths.mjs';
import { connectRaw } from '../lib/raw-client.mjs';
import { hrNow, msBetween, sleep, until } from '../lib/time.mjs';
import { createWorkspace, multiStepPlan } from '../lib/workspace.mjs';

const STEPS = 20;
const TOOL_MS = 100;

export async function parallel({ probe, reps, log }) {
  const ws = await createWorkspace({ probePort: probe.port, server: { maxConcurrency: STEPS } });
  const daemon = startDaemon(ws.configPath);
  try {
    await daemon.ready;
    await runPlan(ws, probe, 'par-warm');
    const wall = [];
    const span = [];
    for (let rep = 0; rep < reps; rep += 1) {
      const r = await runPlan(ws, probe, `par${rep}`);
      wall.push(r.wallMs);
      span.push(r.spanMs);
      log(`  parallel rep ${rep + 1}: ${r.wallMs.toFixed(0)} ms rename → Done/, ${r.spanMs.toFixed(0)} ms first call → Done/`);
    }
    const raw = [];
    for (let rep = 0; rep < reps; rep += 1) raw.push(await rawParallel());
    return { wall, span, raw };
  } finally {
    await daemon.stop().catch((error) => log(String(error)));
    await ws.cleanup();
  }
}

async function runPlan(ws, probe, id) {
  const draft = path.join(ws.folder('Plans'), `${id}.md`);
  await writeFile(draft, multiStepPlan(id, STEPS, { action: 'sleep', mode: 'parallel', args: { ms: TOOL_MS } }));
  const old = new Date(Date.now() - 60_000);
  await utimes(draft, old, old);
  const t0 = hrNow();
  await rename(draft, path.join(ws.folder('Approved'), `${id}.md`));
  const done = path.join(ws.folder('Done'), `${id}.md`);
  await until(() => access(done).then(() => true, () => false), `${id} in Done/`, 20_000, 1);
  const t1 = hrNow();
  const calls = probe.received.filter((r) => typeof r.tag === 'string' && r.tag.startsWith(`${id}-`));
  if (calls.length !== STEPS) throw new Error(`parallel: ${calls.length} calls received for ${id}, expected ${STEPS}`);
  const first = calls.reduce((a, b) => (a.hr < b.hr ? a : b));
  await sleep(20);
  return { wallMs: msBetween(t0, t1), spanMs: msBetween(first.hr, t1) };
}

async function rawParallel() {
  const conn = await connectRaw(NOOP_SERVER);
  try {
    await conn.client.callTool({ name: 'noop', arguments: {} });
    const t0 = hrNow();
    await Promise.all(Array.from({ length: STEPS }, (_, i) => conn.client.callTool({ name: 'sleep', arguments: { ms: TOOL_MS, tag: `rp${i}` } })));
    return msBetween(t0, hrNow());
  } finally {
    await conn.close();
  }
}
