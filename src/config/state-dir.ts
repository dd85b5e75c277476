/**
 * Where the orchestrator keeps its private state, outside every vault on purpose: a vault is synced,
 * shared, pruned by clean-up scripts and read by AIs through the bundled servers, and the journal, the
 * ledgers and tokens must survive all of that and be seen by nobody. Per user: OAuth registrations and
 * tokens (`<stateRoot>/oauth/`); per vault: the journal, the rate-limit ledger, the health file and the
 * bundled servers' ledgers (`<stateRoot>/vaults/<hash of the vault's real path>/`). Follows the XDG base
 * directory convention. Pure: the environment is a parameter.
 */
import { createHash } from 'node:crypto';
import { homedir } from 'node:os';
import path from 'node:path';
import { nonEmpty } from './paths.js';

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

/** What names a vault wherever the orchestrator keys something by it: a hash of its real path. */
export function vaultKey(vaultRealPath: string): string {
  return createHash('sha256').update(vaultRealPath).digest('hex').slice(0, 16);
}

/** This vault's private state directory (mode 0700). */
export function vaultStateDir(vaultRealPath: string, env: NodeJS.ProcessEnv): string {
  return path.join(stateRoot(env), 'vaults', vaultKey(vaultRealPath));
}

/** The files of a vault's private state. */
export function statePaths(state: string) {
  return {
    journal: path.join(state, 'journal.jsonl'),
    rateLedger: path.join(state, 'rate-limits.jsonl'),
    health: path.join(state, 'health.json'),
    servers: path.join(state, 'servers'),
  } as const;
}
