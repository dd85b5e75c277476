/**
 * Figure 6, cold start of each bundled server: spawn → initialize → the first successful tools/call,
 * with the raw SDK client (what the daemon's pool does on a plan's first call). The no-op server is the
 * baseline: what Node and the SDK cost before any server code runs.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DIST, REPO_ROOT, NOOP_SERVER } from '../lib/paths.mjs';
import { connectRaw } from '../lib/raw-client.mjs';
import { hrNow, msBetween } from '../lib/time.mjs';

/** A cheap, side-effect-free (or vault-local) first call on each bundled server. */
export const BUNDLED = [
  { name: 'vault-watcher', script: 'mcp_servers/vault-watcher/server.js', tool: 'list_notes', args: {} },
  {
    name: 'email-server',
    script: 'mcp_servers/email/server.js',
    tool: 'send_email',
    args: (i) => ({ to: 'bench@example.com', subject: `cold start ${i}`, body: 'bench', idempotency_key: `cold-${i}-${Date.now()}` }),
  },
  { name: 'linkedin-server', script: 'mcp_servers/linkedin/server.js', tool: 'list_posts', args: {} },
  { name: 'model-router', script: 'mcp_servers/model-router/server.js', tool: 'route_task', args: { task: 'Fix a typo in the README' } },
];

export async function coldStart({ reps, log }) {
  const results = {};
  const baseline = [];
  await timeFirstCall(NOOP_SERVER, 'noop', {}, {}); // warms the file cache for the SDK's modules
  for (let rep = 0; rep < reps; rep += 1) baseline.push(await timeFirstCall(NOOP_SERVER, 'noop', {}, {}));
  for (const server of BUNDLED) {
    const times = [];
    for (let rep = 0; rep < reps; rep += 1) {
      const vault = await mkdtemp(path.join(os.tmpdir(), 'orch-bench-cold-'));
      try {
        const args = typeof server.args === 'function' ? server.args(rep) : server.args;
        const env = { VAULT_DIR: vault, MODELS_CONFIG: path.join(REPO_ROOT, 'config/models.json') };
        times.push(await timeFirstCall(path.join(DIST, server.script), server.tool, args, env, vault));
      } finally {
        await rm(vault, { recursive: true, force: true });
      }
    }
    results[server.name] = times;
    log(`  cold start ${server.name}: ${times.map((t) => t.toFixed(0)).join(', ')} ms`);
  }
  return { servers: results, baseline };
}

async function timeFirstCall(script, tool, args, env, cwd) {
  const t0 = hrNow();
  const conn = await connectRaw(script, env, { cwd });
  try {
    const result = await conn.client.callTool({ name: tool, arguments: args });
    if (result.isError) throw new Error(`cold start: ${path.basename(path.dirname(script))}.${tool} failed: ${JSON.stringify(result.content)}`);
    return msBetween(t0, hrNow());
  } finally {
    await conn.close();
  }
}
