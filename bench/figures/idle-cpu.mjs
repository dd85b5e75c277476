/**
 * Figure 9, idle CPU: the daemon's CPU time over a quiet window after one plan, while its (still
 * connected) server floods logging notifications, `perSecond` of them, versus the same with a quiet
 * server. In percent of one core; the server's own CPU is shown so the flood is seen to happen.
 */
import { rename, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { cpuMsOf, descendantsOf, startDaemon } from '../lib/daemon.mjs';
import { sleep, until } from '../lib/time.mjs';
import { createWorkspace, singleStepPlan } from '../lib/workspace.mjs';

export async function idleCpu({ reps, windowMs, perSecond, log }) {
  const out = { flood: [], quiet: [], server: [] };
  for (let rep = 0; rep < reps; rep += 1) {
    for (const flood of [true, false]) {
      const ws = await createWorkspace({ server: flood ? { env: { FLOOD_PER_SECOND: String(perSecond) } } : {} });
      const daemon = startDaemon(ws.configPath);
      try {
        await daemon.ready;
        const id = `idle-${rep}`;
        const draft = path.join(ws.folder('Plans'), `${id}.md`);
        await writeFile(draft, singleStepPlan(id));
        const old = new Date(Date.now() - 60_000);
        await utimes(draft, old, old);
        await rename(draft, path.join(ws.folder('Approved'), `${id}.md`));
        await until(async () => (await ws.list('Done')).includes(`${id}.md`), `${id} in Done/`);
        await sleep(1_000); // the plan's own work and the first GC are over
        const [server] = await descendantsOf(daemon.pid);
        const d0 = await daemon.cpuMs();
        const s0 = server ? await cpuMsOf(server) : 0;
        await sleep(windowMs);
        const percent = ((await daemon.cpuMs()) - d0) / windowMs * 100;
        (flood ? out.flood : out.quiet).push(percent);
        if (flood) out.server.push(server ? ((await cpuMsOf(server)) - s0) / windowMs * 100 : Number.NaN);
        log(`  idle CPU rep ${rep + 1} ${flood ? `flood ${perSecond}/s` : 'quiet'}: daemon ${percent.toFixed(1)}%${flood ? `, server ${out.server.at(-1).toFixed(1)}%` : ''}`);
      } finally {
        await daemon.stop().catch((error) => log(String(error)));
        await ws.cleanup();
      }
    }
  }
  return out;
}
