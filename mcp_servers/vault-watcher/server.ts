/**
 * vault-watcher: an MCP server over stdio that reads, writes, searches and moves the notes of the vault at
 * `VAULT_DIR` (default ./vault), confined to it and kept out of the plan lifecycle folders (SPEC §10).
 * Run: `VAULT_DIR=./vault node dist/mcp_servers/vault-watcher/server.js`
 */
import { mkdir, realpath } from 'node:fs/promises';
import path from 'node:path';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { serveStdio } from '../shared/serve-stdio.js';
import { vaultRootFromEnv } from '../shared/vault-path.js';
import { vaultPolicy } from './policy.js';
import { registerReadTools, type VaultContext } from './read-tools.js';
import { registerWriteTools } from './write-tools.js';

function createVaultServer(ctx: VaultContext): McpServer {
  const server = new McpServer({ name: 'vault-watcher', version: '0.1.0' });
  registerReadTools(server, ctx);
  registerWriteTools(server, ctx);
  return server;
}

/** The email server's ledger folder when `MCP_STATE_DIR` points somewhere else in the vault: reads skip it too. */
async function stateDirFromEnv(env: NodeJS.ProcessEnv): Promise<string | undefined> {
  if (!env.MCP_STATE_DIR) return undefined;
  const dir = path.resolve(env.MCP_STATE_DIR);
  return realpath(dir).catch(() => dir);
}

await serveStdio('vault-watcher', async () => {
  const configured = vaultRootFromEnv();
  await mkdir(configured, { recursive: true });
  const root = await realpath(configured);
  return createVaultServer({ root, policy: vaultPolicy(root, await stateDirFromEnv(process.env)), now: () => new Date() });
});
