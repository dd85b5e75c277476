/**
 * `servers [--json]`: each configured server — connected or not, negotiated protocol version, tool
 * count, ping latency, breaker state, last error — as a table or JSON. Nothing from the server's
 * configuration (headers, env, command line) is printed, and error text is masked like the logs.
 * With `cluster`: a server placed on other nodes reads `on <nodes>`, and a second table (or the JSON's
 * `cluster`, then `{servers, cluster}`) shows every node, its servers, last heartbeat and what it holds.
 */
import { maskKnownText, sanitizeText } from '../../core/sanitize.js';
import { cut, errorOf, messageOf, squash } from '../../core/text.js';
import type { Config } from '../../config/schema.js';
import { formatTable } from '../../stats/table.js';
import { EXIT, type ExitCode, type Io } from '../io.js';
import type { Runtime } from '../runtime.js';
import { readDaemonHealth } from '../../monitor/health-file.js';
import { statePaths } from '../../config/state-dir.js';
import { secretsOf } from '../../mcp/redact.js';

export interface ServerReport {
  readonly name: string;
  readonly type: string;
  readonly enabled: boolean;
  readonly connected: boolean;
  /** The MCP protocol version negotiated at initialize, when the pool reports it. */
  readonly protocolVersion: string | null;
  /** The server's own name and version, from initialize. */
  readonly serverInfo: string | null;
  readonly toolCount: number | null;
  readonly tools: readonly string[];
  readonly pingMs: number | null;
  /** `closed`, `open`, `half-open`, or `-` when no breaker is known to this process. */
  readonly breaker: string;
  readonly lastError: string | null;
  /** With `cluster`: a server started on other nodes only, and which. */
  readonly nodes?: readonly string[];
}

const TABLE_ERROR_CHARS = 80;

export async function serversCommand(runtime: Runtime, io: Io, options: { json: boolean }): Promise<ExitCode> {
  const mask = secretMasker(runtime.config);
  const probed = await Promise.all(
    Object.entries(runtime.config.mcpServers).map(async ([name, server]) => {
      if (!server.enabled) return { name, tools: [] as string[], pingMs: null, error: null };
      try {
        const tools = await runtime.pool.listTools(name);
        const pingMs = Math.round((await runtime.pool.ping(name)) * 10) / 10;
        return { name, tools: tools.map((tool) => tool.name), pingMs, error: null };
      } catch (error) {
        return { name, tools: [] as string[], pingMs: null, error: messageOf(error) };
      }
    }),
  );
  const statuses = new Map(runtime.pool.status().map((status) => [status.name, status]));
  const breakers = await daemonBreakers(runtime.config.state);
  const reports = probed.map(({ name, tools, pingMs, error }): ServerReport => {
    const server = runtime.config.mcpServers[name];
    const status = statuses.get(name);
    const protocol = status?.protocolVersion;
    const version = status?.serverVersion;
    const connected = status?.connected === true && error === null;
    // The pool's record of a failure quotes the server's stderr, which the thrown message does not.
    const lastError = status?.lastError ?? error ?? null;
    return {
      name,
      type: status?.transport ?? server?.type ?? 'stdio',
      enabled: server?.enabled ?? false,
      connected,
      protocolVersion: connected && typeof protocol === 'string' ? protocol : null,
      serverInfo: version ? mask(`${version.name} ${version.version}`) : null,
      toolCount: connected ? tools.length : null,
      tools,
      pingMs,
      breaker: breakers?.[name]?.state ?? '-',
      lastError: lastError === null ? null : mask(lastError),
      ...(server?.type === 'disabled' && server.elsewhere ? { nodes: server.elsewhere } : {}),
    };
  });
  const fine = reports.every((r) => r.connected || !r.enabled);
  const cluster = runtime.config.cluster;
  if (cluster === undefined) {
    if (options.json) io.out(JSON.stringify(reports, null, 2));
    else for (const line of formatServersTable(reports)) io.out(line);
    return fine ? EXIT.ok : EXIT.failed;
  }
  // Several hosts: the whole cluster as the database knows it, after this host's servers.
  const { readClusterView, formatClusterTable } = await import('./cluster-view.js');
  const view = await readClusterView(cluster).catch(errorOf);
  if (options.json) io.out(JSON.stringify({ servers: reports, cluster: view instanceof Error ? { error: view.message } : view }, null, 2));
  else {
    for (const line of formatServersTable(reports)) io.out(line);
    io.out('');
    if (view instanceof Error) io.err(`error: ${view.message}`);
    else for (const line of formatClusterTable(view)) io.out(line);
  }
  return fine && !(view instanceof Error) ? EXIT.ok : EXIT.failed;
}

export function formatServersTable(reports: readonly ServerReport[]): string[] {
  const dash = (value: string | number | null): string => (value === null ? '-' : String(value));
  return formatTable(
    ['SERVER', 'TYPE', 'STATE', 'PROTOCOL', 'SERVER INFO', 'TOOLS', 'PING MS', 'BREAKER', 'LAST ERROR'],
    reports.map((r) => [
      r.name,
      r.type,
      !r.enabled ? (r.nodes ? `on ${r.nodes.join(', ')}` : 'disabled') : r.connected ? 'connected' : 'UNREACHABLE',
      dash(r.protocolVersion),
      dash(r.serverInfo),
      dash(r.toolCount),
      dash(r.pingMs),
      r.breaker,
      r.lastError === null ? '-' : cut(squash(r.lastError), TABLE_ERROR_CHARS),
    ]),
    ['left', 'left', 'left', 'left', 'left', 'right', 'right', 'left', 'left'],
  );
}

/**
 * The breakers live in the running daemon, not in this process: read the state it publishes in
 * its private state (health.json). No daemon running (or never run): no breaker to show.
 */
async function daemonBreakers(state: string): Promise<Record<string, { readonly state: string }> | undefined> {
  const health = await readDaemonHealth(statePaths(state).health).catch(() => undefined);
  return health?.running ? health.breakers : undefined;
}

/**
 * Masks text the way the logs do, and also any header value, and any env value under a secret-looking
 * name, from the configuration: a server's stderr (quoted in errors) could echo its own credentials.
 */
export function secretMasker(config: Pick<Config, 'mcpServers'>): (text: string) => string {
  // The same list the MCP layer masks its own errors with (mcp/redact.ts), longest first; then the logs' rules.
  const secrets = [...new Set(Object.values(config.mcpServers).flatMap((server) => secretsOf(server)))].sort((a, b) => b.length - a.length);
  return (text) => sanitizeText(maskKnownText(text, secrets));
}
