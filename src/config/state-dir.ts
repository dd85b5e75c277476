/**
 * Where the orchestrator keeps private state that belongs to the user, not to a vault: OAuth client
 * registrations and tokens (`<stateRoot>/oauth/`). Outside the vault on purpose: a vault is synced,
 * shared and read by AIs, and a token in it would travel with it. Follows the XDG base directory
 * convention. Pure: the environment is a parameter.
 */
import { homedir } from 'node:os';
import path from 'node:path';

export function stateRoot(env: NodeJS.ProcessEnv): string {
  const own = nonEmpty(env['ORCHESTRATOR_STATE_DIR']);
  if (own) return path.resolve(own);
  const xdg = nonEmpty(env['XDG_STATE_HOME']);
  // The XDG spec says a relative XDG_STATE_HOME is invalid and must be ignored.
  if (xdg && path.isAbsolute(xdg)) return path.join(xdg, 'mcp-orchestrator');
  return path.join(nonEmpty(env['HOME']) ?? homedir(), '.local', 'state', 'mcp-orchestrator');
}

/** The folder of OAuth files (one per server), mode 0700. */
export function oauthDir(env: NodeJS.ProcessEnv): string {
  return path.join(stateRoot(env), 'oauth');
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}
