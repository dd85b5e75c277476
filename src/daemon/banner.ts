/** The start-up banner: which vault, which config, which servers, how many plans wait, what happens next. */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../config/schema.js';
import { isPlanFileName } from '../vault/folders.js';

interface BannerMode {
  readonly once: boolean;
  readonly dryRun?: boolean;
}

export async function startupBanner(config: Config, mode: BannerMode): Promise<string[]> {
  const count = async (folder: string): Promise<number> =>
    (await readdir(path.join(config.vault, folder)).catch(() => [] as string[])).filter(isPlanFileName).length;
  const servers = Object.entries(config.mcpServers)
    .map(([name, server]) => `${name} (${server.enabled ? server.type : server.type === 'disabled' && server.elsewhere ? `on ${server.elsewhere.join(', ')}` : 'disabled'})`)
    .join(', ');
  const approved = path.join(config.vault, 'Approved');
  const next = mode.once
    ? `  processing what waits in ${approved}, then exiting`
    : `  watching ${approved} (Ctrl-C or SIGTERM stops after in-flight calls finish)`;
  return [
    `mcp-orchestrator daemon${mode.dryRun ? ' (dry run: nothing is claimed or called)' : ''}`,
    `  vault:   ${config.vault}`,
    `  config:  ${config.configPath}`,
    `  logs:    ${path.join(config.logs, 'mcp_actions.log')}`,
    `  servers: ${servers || '(none configured)'}`,
    `  waiting: ${await count('Approved')} in Approved/, ${await count('In_Progress')} in In_Progress/`,
    next,
  ];
}
