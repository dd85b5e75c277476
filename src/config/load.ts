/**
 * Reads, expands, validates and resolves the configuration file (SPEC §6). Every failure is a
 * `ConfigError` whose message lists each problem on its own line as `<file>: <key path>: <what>`.
 */
import { readFile, realpath } from 'node:fs/promises';
import path from 'node:path';
import { parseEnv } from 'node:util';
import { ConfigError } from './errors.js';
import { strongestFirst } from '../core/sanitize.js';
import { expandVariables } from './expand.js';
import { formatIssues, formatKeyPath } from './issues.js';
import { parseJsonc } from './jsonc.js';
import { resolveConfigRelative } from './paths.js';
import type { z } from 'zod';
import { ConfigSchema, type Config } from './schema.js';
import { vaultStateDir } from './state-dir.js';

type Env = Readonly<Record<string, string | undefined>>;

export async function loadConfig(file: string, env: Env = process.env): Promise<Config> {
  const configPath = path.resolve(file);
  const text = await readConfigText(configPath);

  const parsed = parseJsonc(text);
  if (!parsed.ok) throw invalid(configPath, [parsed.message]);
  const spelled = serversKey(parsed.value);
  if (!spelled.ok) throw invalid(configPath, [spelled.message]);

  const baseDir = path.dirname(configPath);
  const expanded = expandVariables(spelled.value, env, {
    // VS Code keeps mcp.json in <workspace>/.vscode/; anywhere else the file's folder is the workspace.
    workspaceFolder: path.basename(baseDir) === '.vscode' ? path.dirname(baseDir) : baseDir,
    ...(env['HOME'] ? { userHome: env['HOME'] } : {}),
  });
  const expansionPaths = expanded.problems.map((p) => formatKeyPath(p.path));
  const problems = expanded.problems.map((p, i) => `${expansionPaths[i]}: ${p.message}`);

  const result = ConfigSchema.safeParse(expanded.value);
  if (!result.success) {
    // A string emptied by a missing variable may fail validation too; its first problem is enough.
    const schemaLines = formatIssues(result.error.issues, expanded.value).filter(
      (line) => !expansionPaths.some((p) => line.startsWith(`${p}:`) || line.startsWith(`${p}.`)),
    );
    problems.push(...schemaLines);
  } else {
    problems.push(...crossCheck(result.data));
  }
  if (problems.length > 0 || !result.success) throw invalid(configPath, problems.map(spelled.respell));

  const resolved = await resolvePaths(result.data, configPath, env);
  const envFileProblems: string[] = [];
  const mcpServers = Object.fromEntries(
    await Promise.all(
      Object.entries(resolved.mcpServers).map(async ([name, server]) => {
        if (server.type !== 'stdio' || server.envFile === undefined) return [name, server] as const;
        const loaded = await readEnvFile(resolveConfigRelative(server.envFile, baseDir, env));
        if (!loaded.ok) {
          envFileProblems.push(spelled.respell(`${formatKeyPath(['mcpServers', name, 'envFile'])}: ${loaded.message}`));
          return [name, server] as const;
        }
        return [name, { ...server, env: { ...loaded.env, ...server.env } }] as const;
      }),
    ),
  );
  if (envFileProblems.length > 0) throw invalid(configPath, envFileProblems);
  const masked = envValuesToMask(expanded.fromEnv, resolved.cluster?.postgres);
  return { ...resolved, mcpServers: placeServers(mcpServers, resolved.cluster?.node), envValues: masked };
}

/**
 * With `cluster`, a server whose `nodes` do not name this node is not started here: it reads as
 * switched off on this host, with the nodes it runs on (its steps are handed over there, SPEC §12).
 * Without `cluster` nothing changes. Pure.
 */
function placeServers(servers: Config['mcpServers'], node: string | undefined): Config['mcpServers'] {
  if (node === undefined) return servers;
  return Object.fromEntries(
    Object.entries(servers).map(([name, server]) => {
      const nodes = server.type === 'disabled' ? undefined : server.nodes;
      if (nodes === undefined || nodes.includes(node)) return [name, server];
      const timeout = server.timeoutMs !== undefined ? { timeoutMs: server.timeoutMs } : {};
      return [name, { type: 'disabled', enabled: false, maxConcurrency: server.maxConcurrency, ...timeout, elsewhere: nodes } as const];
    }),
  );
}

/**
 * Where a user's session puts its paths and names: not secrets, and masking them would blank every path
 * in every message (`${HOME}/vault`). Nor is a plain number (a timeout, a price ceiling): masking
 * `120000` would blank durations in every line. Every other variable's value is masked wherever it would
 * be written (core/sanitize.ts strongestFirst also skips values under six characters).
 */
const NOT_SECRET_VARIABLES = /^(HOME|USER|LOGNAME|USERNAME|PWD|OLDPWD|TMPDIR|TEMP|TMP|SHELL|LANG|LC_\w+|PATH|XDG_\w+|ORCHESTRATOR_NODE)$/;

function envValuesToMask(fromEnv: ReadonlyMap<string, string>, postgres: string | undefined): string[] {
  const values = [...fromEnv].filter(([name, value]) => !NOT_SECRET_VARIABLES.test(name) && !/^\d+(\.\d+)?$/.test(value.trim())).map(([, value]) => value);
  // The cluster's connection URL is a secret even when written into the file itself, and so is its password.
  if (postgres !== undefined) values.push(postgres, ...passwordOf(postgres));
  return strongestFirst(values);
}

function passwordOf(url: string): string[] {
  try {
    const password = decodeURIComponent(new URL(url).password);
    return password === '' ? [] : [password];
  } catch {
    return [];
  }
}

type Spelled =
  | { ok: true; value: unknown; respell: (line: string) => string }
  | { ok: false; message: string };

/**
 * VS Code's `mcp.json` names the servers' object `servers`; everyone else `mcpServers`. Either is
 * accepted (problems are then reported under the user's own spelling); both at once is ambiguous.
 */
function serversKey(value: unknown): Spelled {
  const same = { ok: true as const, value, respell: (line: string) => line };
  if (typeof value !== 'object' || value === null || Array.isArray(value) || !('servers' in value)) return same;
  const { servers, ...rest } = value as Record<string, unknown>;
  if ('mcpServers' in rest) {
    return {
      ok: false,
      message: '(top level): both "mcpServers" and "servers" (VS Code\'s spelling of it) are present; keep one of them',
    };
  }
  return {
    ok: true,
    value: { ...rest, mcpServers: servers },
    respell: (line) => (line.startsWith('mcpServers') ? `servers${line.slice('mcpServers'.length)}` : line),
  };
}

/** A dotenv file (`KEY=value` lines, `#` comments, quotes), parsed by Node's own `util.parseEnv`. */
async function readEnvFile(file: string): Promise<{ ok: true; env: Record<string, string> } | { ok: false; message: string }> {
  try {
    const parsed = parseEnv(await readFile(file, 'utf8'));
    const env = Object.fromEntries(Object.entries(parsed).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
    return { ok: true, env };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { ok: false, message: `cannot read ${file} (${code ?? String(error)}); fix the path or remove envFile` };
  }
}

async function readConfigText(configPath: string): Promise<string> {
  try {
    return await readFile(configPath, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new ConfigError(
        'config_not_found',
        configPath,
        [`${configPath}: configuration file not found; create it, or pass --config PATH or set ORCHESTRATOR_CONFIG`],
        { cause: error },
      );
    }
    const reason = code === 'EISDIR' ? 'it is a directory' : (code ?? String(error));
    throw new ConfigError(
      'config_unreadable',
      configPath,
      [`${configPath}: cannot read the configuration file (${reason}); check the path and its permissions`],
      { cause: error },
    );
  }
}

/** Checks that need the whole file: every action names a configured server; `nodes` only with `cluster`. */
function crossCheck(config: z.infer<typeof ConfigSchema>): string[] {
  const servers = Object.keys(config.mcpServers);
  const known = servers.length > 0 ? servers.join(', ') : 'none; add one under mcpServers';
  const placement = config.cluster
    ? []
    : Object.entries(config.mcpServers)
        .filter(([, server]) => server.type !== 'disabled' && server.nodes !== undefined)
        .map(([name]) => `${formatKeyPath(['mcpServers', name, 'nodes'])}: only means something with a "cluster" block (several hosts, SPEC §12); add one or remove "nodes"`);
  return [...placement, ...Object.entries(config.actions)
    .filter(([, action]) => !(action.server in config.mcpServers))
    .map(
      ([name, action]) =>
        `${formatKeyPath(['actions', name, 'server'])}: unknown server ${JSON.stringify(action.server)}; expected one of the servers in mcpServers (${known})`,
    )];
}

async function resolvePaths(config: z.infer<typeof ConfigSchema>, configPath: string, env: Env): Promise<Config> {
  const baseDir = path.dirname(configPath);
  const mcpServers = Object.fromEntries(
    Object.entries(config.mcpServers).map(([name, server]) => [
      name,
      server.type === 'stdio'
        ? // The default cwd makes relative `args` (../dist/…) mean the same from any working directory.
          { ...server, cwd: resolveConfigRelative(server.cwd ?? '.', baseDir, env) }
        : server,
    ]),
  );
  const vault = resolveConfigRelative(config.vault, baseDir, env);
  // Keyed by the real path, so the same vault reached through a symlink has one state (and one lock).
  const vaultKey = await realpath(vault).catch(() => vault);
  return {
    ...config,
    vault,
    logs: resolveConfigRelative(config.logs, baseDir, env),
    state: config.state !== undefined ? resolveConfigRelative(config.state, baseDir, env) : vaultStateDir(vaultKey, env),
    mcpServers,
    configPath,
  };
}

function invalid(configPath: string, problems: readonly string[]): ConfigError {
  return new ConfigError('config_invalid', configPath, problems.map((line) => `${configPath}: ${line}`));
}
