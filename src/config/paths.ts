/**
 * Where the configuration file is, and how relative paths inside it resolve: against the directory
 * of the file (SPEC §6), so the daemon behaves the same whatever directory it is started from.
 */
import { homedir } from 'node:os';
import path from 'node:path';

/** The default location, relative to the working directory. */
const DEFAULT_CONFIG_PATH = path.join('config', 'orchestrator.json');

/** `--config` option, else `$ORCHESTRATOR_CONFIG`, else `config/orchestrator.json`; made absolute against `cwd`. */
export function resolveConfigPath(
  option?: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
  cwd: string = process.cwd(),
): string {
  const chosen = nonEmpty(option) ?? nonEmpty(env['ORCHESTRATOR_CONFIG']) ?? DEFAULT_CONFIG_PATH;
  return path.resolve(cwd, expandHome(chosen, env));
}

/** Resolves a path from the configuration against `baseDir`; `~` and `~/…` mean the home directory. */
export function resolveConfigRelative(
  value: string,
  baseDir: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
): string {
  return path.resolve(baseDir, expandHome(value, env));
}

function expandHome(value: string, env: Readonly<Record<string, string | undefined>>): string {
  if (value !== '~' && !value.startsWith('~/')) return value;
  const home = nonEmpty(env['HOME']) ?? homedir();
  return path.join(home, value.slice(1));
}

/** A variable or option set to nothing but blanks counts as unset. */
export function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}
