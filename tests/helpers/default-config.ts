/**
 * Test helper: the shipped config/orchestrator.json (the bundled servers) moved to a temporary root, with
 * vault and logs beside it and server paths made absolute, so it can live outside the repository.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { REPO_ROOT } from './stdio-client.js';

/** Writes `<root>/config/orchestrator.json`; `daemon` settings are merged over the shipped ones. */
export async function writeDefaultConfig(root: string, daemon: Record<string, unknown> = {}): Promise<string> {
  const repoConfigDir = path.join(REPO_ROOT, 'config');
  const config = JSON.parse(await readFile(path.join(repoConfigDir, 'orchestrator.json'), 'utf8')) as {
    vault: string;
    logs: string;
    daemon?: Record<string, unknown>;
    mcpServers: Record<string, { args: string[]; env: Record<string, string> }>;
  };
  for (const server of Object.values(config.mcpServers)) {
    server.args = server.args.map((arg) => (arg.startsWith('.') ? path.resolve(repoConfigDir, arg) : arg));
    server.env = { ...server.env, MODELS_CONFIG: path.join(repoConfigDir, 'models.json') };
  }
  config.vault = '../vault';
  config.logs = '../logs';
  // The vault's private state beside it, not in the user's ~/.local/state.
  (config as { state?: string }).state = '../state';
  config.daemon = { ...config.daemon, ...daemon };
  const configPath = path.join(root, 'config', 'orchestrator.json');
  await mkdir(path.dirname(configPath), { recursive: true });
  await writeFile(configPath, JSON.stringify(config, null, 2));
  return configPath;
}
