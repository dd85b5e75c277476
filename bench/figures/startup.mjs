/**
 * Figure 7, start-up of the CLI as a user meets it: spawn → exit of `mcp-orchestrator --help`; of
 * `check` of one plan (which starts the plan's server to read its tool schemas, so the server's own
 * start is measured too, the raw SDK spawning it and listing its tools, and subtracted); and spawn →
 * the daemon's `watching` line on an empty vault.
 */
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { startDaemon } from '../lib/daemon.mjs';
import { DAEMON_ENTRY, NOOP_SERVER } from '../lib/paths.mjs';
import { connectRaw } from '../lib/raw-client.mjs';
import { hrNow, msBetween } from '../lib/time.mjs';
import { createWorkspace, singleStepPlan } from '../lib/workspace.mjs';

export async function startup({ reps, log }) {
  const ws = await createWorkspace();
  try {
    const plan = path.join(ws.folder('Plans'), 'check-me.md');
    await writeFile(plan, singleStepPlan('check-me'));
    await timeCli(['--help']); // warms the file cache
    const help = [];
    const check = [];
    const serverStart = [];
    const daemonReady = [];
    for (let rep = 0; rep < reps; rep += 1) {
      help.push(await timeCli(['--help']));
      check.push(await timeCli(['--config', ws.configPath, 'check', plan]));
      serverStart.push(await timeServerStart());
      const daemon = startDaemon(ws.configPath);
      try {
        daemonReady.push(await daemon.ready);
      } finally {
        await daemon.stop();
      }
      log(`  start-up rep ${rep + 1}: --help ${help.at(-1).toFixed(0)} ms, check ${check.at(-1).toFixed(0)} ms (server ${serverStart.at(-1).toFixed(0)} ms), daemon ready ${daemonReady.at(-1).toFixed(0)} ms`);
    }
    return { help, check, serverStart, daemonReady };
  } finally {
    await ws.cleanup();
  }
}

/** ms from spawn to exit of the CLI with `args`; throws unless it exits 0. */
function timeCli(args) {
  const t0 = hrNow();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [DAEMON_ENTRY, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (chunk) => (err += chunk));
    child.once('exit', (code) => {
      const ms = msBetween(t0, hrNow());
      if (code === 0) resolve(ms);
      else reject(new Error(`mcp-orchestrator ${args.join(' ')} exited ${code}: ${err}`));
    });
  });
}

/** The no-op server's own start as `check` needs it: spawn → initialize → tools listed. */
async function timeServerStart() {
  const t0 = hrNow();
  const conn = await connectRaw(NOOP_SERVER);
  try {
    await conn.client.listTools();
    return msBetween(t0, hrNow());
  } finally {
    await conn.close();
  }
}
