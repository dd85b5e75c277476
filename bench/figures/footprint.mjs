/**
 * Figure 8, footprint of the default setup: the daemon with the four bundled servers configured, RSS of
 * the daemon and every process below it (the servers it started), right after start, after one plan that
 * calls each server once, and once the servers have idled out (`idleTimeoutMs` set short here, so the
 * figure does not take the default 5 minutes); and the daemon's own RSS then (the daemon alone, idle).
 */
import { rename, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { BUNDLED } from './cold-start.mjs';
import { descendantsOf, startDaemon, treeMemory } from '../lib/daemon.mjs';
import { DIST, REPO_ROOT } from '../lib/paths.mjs';
import { sleep, until } from '../lib/time.mjs';
import { createWorkspace } from '../lib/workspace.mjs';

const IDLE_MS = 2_000;

export async function footprint({ reps, log }) {
  const servers = {};
  const actions = {};
  for (const server of BUNDLED) {
    servers[server.name] = {
      command: process.execPath,
      args: [path.join(DIST, server.script)],
      env: { MODELS_CONFIG: path.join(REPO_ROOT, 'config/models.json') },
      idleTimeoutMs: IDLE_MS,
    };
    actions[`fp_${server.tool}`] = { server: server.name, tool: server.tool, idempotent: server.name !== 'email-server' };
  }
  const out = { afterStart: [], afterPlan: [], afterIdle: [], daemonIdle: [], daemonAfterPlan: [], processesAfterPlan: [] };
  for (let rep = 0; rep < reps; rep += 1) {
    const ws = await createWorkspace({ servers, actions });
    const daemon = startDaemon(ws.configPath);
    try {
      await daemon.ready;
      await sleep(1_000);
      out.afterStart.push((await treeMemory(daemon.pid)).totalMb);
      const id = `fp-${rep}`;
      const draft = path.join(ws.folder('Plans'), `${id}.md`);
      await writeFile(draft, planText(id, rep));
      const old = new Date(Date.now() - 60_000);
      await utimes(draft, old, old);
      await rename(draft, path.join(ws.folder('Approved'), `${id}.md`));
      const folder = await until(async () => {
        for (const name of ['Done', 'Failed', 'Needs_Review']) if ((await ws.list(name)).includes(`${id}.md`)) return name;
        return undefined;
      }, `${id} finished`);
      if (folder !== 'Done') throw new Error(`footprint: plan ${id} went to ${folder}/, not Done/:\n${daemon.output().slice(-2000)}`);
      await sleep(200);
      const plan = await treeMemory(daemon.pid);
      out.afterPlan.push(plan.totalMb);
      out.daemonAfterPlan.push(plan.ownMb);
      out.processesAfterPlan.push(plan.processes);
      await until(async () => (await descendantsOf(daemon.pid)).length === 0, 'the servers to idle out', IDLE_MS + 15_000, 50);
      await sleep(1_000);
      const idle = await treeMemory(daemon.pid);
      out.afterIdle.push(idle.totalMb);
      out.daemonIdle.push(idle.ownMb);
      log(`  footprint rep ${rep + 1}: start ${out.afterStart.at(-1).toFixed(0)} MB, after a plan ${plan.totalMb.toFixed(0)} MB (${plan.processes} processes, daemon ${plan.ownMb.toFixed(0)}), idled out ${idle.totalMb.toFixed(0)} MB`);
    } finally {
      await daemon.stop().catch((error) => log(String(error)));
      await ws.cleanup();
    }
  }
  return { ...out, idleMs: IDLE_MS };
}

/** One step on each bundled server. */
function planText(id, rep) {
  return [
    '---',
    `id: ${id}`,
    'mode: sequential',
    'steps:',
    '  - action: fp_list_notes',
    '  - action: fp_send_email',
    '    to: bench@example.com',
    `    subject: footprint ${rep}`,
    '    body: bench',
    '  - action: fp_list_posts',
    '  - action: fp_route_task',
    '    task: Fix a typo in the README',
    '---',
    `Footprint plan ${id}.`,
    '',
  ].join('\n');
}
