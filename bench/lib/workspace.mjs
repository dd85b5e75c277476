/** A temporary project for one benchmark: config, vault and logs, wired to the no-op server over stdio. */
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { NOOP_SERVER } from './paths.mjs';

/** Actions on the no-op server every bench config has. */
export const NOOP_ACTIONS = {
  noop: { server: 'noop', tool: 'noop', idempotent: true },
  sleep: { server: 'noop', tool: 'sleep', idempotent: true },
};

/** `cluster`: the config's `cluster` block (SPEC §12); each node then keeps its own state folder. */
export async function createWorkspace({ probePort, execution = {}, daemon = {}, server = {}, servers = {}, actions = {}, cluster } = {}) {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'orch-bench-'));
  const vault = path.join(dir, 'vault');
  const configPath = path.join(dir, 'config', 'orchestrator.json');
  await mkdir(path.join(vault, 'Plans'), { recursive: true });
  await mkdir(path.dirname(configPath), { recursive: true });
  const config = {
    vault: '../vault',
    logs: '../logs',
    ...(cluster ? { cluster, state: '../state-${ORCHESTRATOR_NODE}' } : {}),
    execution,
    daemon,
    mcpServers: {
      noop: {
        command: process.execPath,
        args: [NOOP_SERVER],
        env: probePort ? { PROBE_PORT: String(probePort) } : {},
        ...server,
      },
      ...servers,
    },
    actions: { ...NOOP_ACTIONS, ...actions },
  };
  await writeFile(configPath, JSON.stringify(config, null, 2));
  return {
    dir,
    vault,
    configPath,
    folder: (name) => path.join(vault, name),
    async list(folder) {
      const names = await readdir(path.join(vault, folder)).catch(() => []);
      return names.filter((name) => name.endsWith('.md') && !name.startsWith('.'));
    },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

/** Shape A: one call of `noop`, labelled `tag`. */
export const singleStepPlan = (id) => `---\nid: ${id}\naction: noop\ntag: ${id}\n---\nBenchmark plan ${id}.\n`;

/** Shape C: `count` steps of `action` with extra arguments, labelled `${id}-${n}`. */
export function multiStepPlan(id, count, { action = 'noop', mode = 'sequential', args = {} } = {}) {
  const extra = Object.entries(args).map(([key, value]) => `    ${key}: ${JSON.stringify(value)}\n`).join('');
  let steps = '';
  for (let n = 1; n <= count; n += 1) steps += `  - action: ${action}\n    tag: ${id}-${n}\n${extra}`;
  return `---\nid: ${id}\nmode: ${mode}\nsteps:\n${steps}---\nBenchmark plan ${id}: ${count} steps.\n`;
}
