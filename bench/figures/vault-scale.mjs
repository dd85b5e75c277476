/**
 * Figure 5, scale of the vault: daemon start-up (spawn → the banner's "watching" line, printed once
 * recovery is done and just before the watcher and first scan) and idle RSS, with 100,000 notes in Done/
 * and other folders versus an empty vault. Also spawn → the first call of a plan already waiting in
 * Approved/ (includes the first scan and the server's cold start). Runs alternate between the two vaults.
 */
import { mkdir, rename, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { startDaemon } from '../lib/daemon.mjs';
import { sleep } from '../lib/time.mjs';
import { createWorkspace, singleStepPlan } from '../lib/workspace.mjs';

/** Where the notes go: Done/ gets most, as in a vault used for a long time. */
const SPREAD = { Done: 0.6, Failed: 0.05, Inbox: 0.1, Plans: 0.1, Needs_Action: 0.05, Logs: 0.05, Pending_Approval: 0.05 };

export async function vaultScale({ probe, reps, notes, log }) {
  const empty = await createWorkspace({ probePort: probe.port });
  const full = await createWorkspace({ probePort: probe.port });
  try {
    const t0 = Date.now();
    await fillVault(full.vault, notes);
    log(`  vault scale: wrote ${notes} notes in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    const out = { empty: { readyMs: [], idleRssMb: [], firstCallMs: [] }, full: { readyMs: [], idleRssMb: [], firstCallMs: [] }, notes };
    for (let rep = 0; rep < reps; rep += 1) {
      for (const [label, ws] of [['empty', empty], ['full', full]]) {
        const r = await startOnce(ws, probe, `${label}${rep}`);
        out[label].readyMs.push(r.readyMs);
        out[label].idleRssMb.push(r.idleRssMb);
        out[label].firstCallMs.push(r.firstCallMs);
        log(`  vault scale rep ${rep + 1} ${label}: ready ${r.readyMs.toFixed(0)} ms, idle RSS ${r.idleRssMb.toFixed(1)} MB, first call ${r.firstCallMs.toFixed(0)} ms`);
      }
    }
    return out;
  } finally {
    await empty.cleanup();
    await full.cleanup();
  }
}

async function startOnce(ws, probe, id) {
  // Ready and idle memory, with nothing waiting.
  const daemon = startDaemon(ws.configPath);
  let readyMs;
  let idleRssMb;
  try {
    readyMs = await daemon.ready;
    await sleep(1_000);
    idleRssMb = (await daemon.memory()).rssMb;
  } finally {
    await daemon.stop();
  }
  // A plan waiting at start: spawn → its call reaches the server.
  const draft = path.join(ws.folder('Plans'), `${id}.md`);
  await writeFile(draft, singleStepPlan(id));
  const old = new Date(Date.now() - 60_000);
  await utimes(draft, old, old);
  await rename(draft, path.join(ws.folder('Approved'), `${id}.md`));
  const second = startDaemon(ws.configPath);
  const spawnedAt = process.hrtime.bigint();
  try {
    const call = await probe.waitFor((r) => r.tag === id, 20_000, `the call of ${id}`);
    return { readyMs, idleRssMb, firstCallMs: Number(call.hr - spawnedAt) / 1e6 };
  } finally {
    await second.stop();
  }
}

async function fillVault(vault, notes) {
  const jobs = [];
  for (const [folder, share] of Object.entries(SPREAD)) {
    await mkdir(path.join(vault, folder), { recursive: true });
    const count = Math.round(notes * share);
    for (let i = 0; i < count; i += 1) jobs.push(path.join(vault, folder, `note-${String(i).padStart(6, '0')}.md`));
  }
  const body = (i) => `---\nid: note-${i}\nstatus: completed\ncompleted_at: 2026-01-01T00:00:00Z\n---\n# Note ${i}\n\n- [x] Something done\n`;
  for (let i = 0; i < jobs.length; i += 256) {
    await Promise.all(jobs.slice(i, i + 256).map((file, j) => writeFile(file, body(i + j))));
  }
}
