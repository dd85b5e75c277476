/** The start-up banner: which vault, which config, which servers, how many plans wait. */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../config/schema.js';
import { isPlanFileName } from '../vault/index.js';

export async function startupBanner(config: Config, dryRun: boolean): Promise<string[]> {
  const count = async (folder: string): Promise<number> =>
    (await readdir(path.join(config.vault, folder)).catch(() => [] as string[])).filter(isPlanFileName).length;
  const servers = Object.entries(config.mcpServers)
    .map(([name, server]) => `${name} (${server.enabled ? server.type : 'disabled'})`)
    .join(', ');
  return [
    `mcp-orchestrator daemon${dryRun ? ' (dry run: nothing is claimed or called)' : ''}`,
    `  vault:   ${config.vault}`,
    `  config:  ${config.configPath}`,
    `  logs:    ${path.join(config.logs, 'mcp_actions.log')}`,
    `  servers: ${servers || '(none configured)'}`,
    `  waiting: ${await count('Approved')} in Approved/, ${await count('In_Progress')} in In_Progress/`,
    `  watching ${path.join(config.vault, 'Approved')} (Ctrl-C or SIGTERM stops after in-flight calls finish)`,
  ];
}
