/**
 * The environment a stdio server is started with: the SDK's safe defaults (PATH, HOME, …), VAULT_DIR,
 * MCP_STATE_DIR (the vault's private state, for the bundled servers' ledgers) and the variables the
 * server's own `env` block names — nothing else from the daemon's environment.
 * Why explicit: the daemon's environment holds every server's secrets (SMTP password, LinkedIn token,
 * model API keys); each server sees only the ones its configuration passes it.
 */
import { DEFAULT_INHERITED_ENV_VARS } from '@modelcontextprotocol/sdk/client/stdio.js';
import path from 'node:path';
import type { Config, StdioServerConfig } from './schema.js';

export function serverEnvironment(
  server: StdioServerConfig,
  config: Pick<Config, 'vault' | 'state'>,
  baseEnv: Readonly<Record<string, string | undefined>> = process.env,
): Record<string, string> {
  const env: Record<string, string> = {};
  // The SDK's getDefaultEnvironment() rule, applied to an injectable environment.
  for (const key of DEFAULT_INHERITED_ENV_VARS) {
    const value = baseEnv[key];
    if (value !== undefined && !value.startsWith('()')) env[key] = value;
  }
  // Where the bundled servers keep their ledgers (idempotency keys, spend): private, not in the vault.
  const provided: Record<string, string> = { VAULT_DIR: config.vault, MCP_STATE_DIR: path.join(config.state, 'servers') };
  Object.assign(env, provided);
  for (const [key, value] of Object.entries(server.env)) {
    // `${VAR:-}` yields "" when VAR is unset; pass that on as unset, so servers see the same
    // absent-or-present distinction as the daemon (and `?? default` in a server still applies) —
    // except for what the orchestrator provides itself, which then keeps its own value.
    if (value !== '') env[key] = value;
    else if (!(key in provided)) delete env[key];
  }
  return env;
}
