/**
 * The environment a stdio server is started with: the SDK's safe defaults (PATH, HOME, …), VAULT_DIR,
 * and the variables the server's own `env` block names — nothing else from the daemon's environment.
 * Why explicit: the daemon's environment holds every server's secrets (SMTP password, LinkedIn token,
 * model API keys); each server sees only the ones its configuration passes it.
 */
import { DEFAULT_INHERITED_ENV_VARS } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { Config, StdioServerConfig } from './schema.js';

export function serverEnvironment(
  server: StdioServerConfig,
  config: Pick<Config, 'vault'>,
  baseEnv: Readonly<Record<string, string | undefined>> = process.env,
): Record<string, string> {
  const env: Record<string, string> = {};
  // The SDK's getDefaultEnvironment() rule, applied to an injectable environment.
  for (const key of DEFAULT_INHERITED_ENV_VARS) {
    const value = baseEnv[key];
    if (value !== undefined && !value.startsWith('()')) env[key] = value;
  }
  env['VAULT_DIR'] = config.vault;
  for (const [key, value] of Object.entries(server.env)) {
    // `${VAR:-}` yields "" when VAR is unset; pass that on as unset, so servers see the same
    // absent-or-present distinction as the daemon (and `?? default` in a server still applies).
    if (value === '') delete env[key];
    else env[key] = value;
  }
  return env;
}
