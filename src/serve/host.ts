/**
 * `daemon --mcp-port PORT` glue: the MCP server is bound before the daemon runs (so a port in use is
 * one clear error before any plan is touched), hears the daemon's event stream once it exists (live
 * progress) and asks its runner to cancel (DaemonControl). The URL is printed and written to
 * `mcp.json` in the vault's private state for `serve` and agents to find; the file goes when the daemon stops.
 */
import type { Config } from '../config/schema.js';
import { messageOf } from '../core/text.js';
import type { DaemonControl } from '../daemon/daemon.js';
import { bestEffort, type EventStream, type Subscriber } from '../events/event-stream.js';
import { openServeContext, serveToken, type ServeDeps } from './context.js';
import { removeEndpoint, writeEndpoint } from './endpoint-file.js';
import { MIN_TOKEN_CHARS } from './http-guard.js';
import { startMcpHttp } from './http.js';

export interface HostedMcp {
  /** For runDaemon's options. */
  readonly onStream: (stream: EventStream) => void;
  readonly onControl: (control: DaemonControl) => void;
  readonly onLetGo: (claim: string) => void;
  close(): Promise<void>;
}

/** Why `--mcp-port` cannot start, in one line with how to fix it; undefined when it can. */
export function tokenProblem(config: Config, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const token = serveToken(config, env);
  const how = `set "serve": {"token": "..."} in ${config.configPath} (or "\${ORCHESTRATOR_TOKEN}" there), or export ORCHESTRATOR_TOKEN, e.g. ORCHESTRATOR_TOKEN=$(openssl rand -hex 32)`;
  if (token === undefined) return `daemon --mcp-port needs a bearer token for its MCP clients: ${how}`;
  if (token.length < MIN_TOKEN_CHARS) return `the MCP bearer token is shorter than ${MIN_TOKEN_CHARS} characters: ${how}`;
  return undefined;
}

export async function hostMcpServer(deps: ServeDeps, port: number, print: (line: string) => void): Promise<HostedMcp> {
  const problem = tokenProblem(deps.config);
  if (problem) throw new Error(problem);
  let control: DaemonControl | undefined;
  let live: Subscriber | undefined;
  const ctx = await openServeContext(deps, {
    listen: (subscriber) => {
      live = subscriber;
    },
    control: () => control,
  });
  const { host, allowedHosts } = deps.config.serve;
  let http;
  try {
    http = await startMcpHttp({ ctx, host, port, token: serveToken(deps.config) as string, allowedHosts });
  } catch (error) {
    await ctx.close();
    throw error;
  }
  const state = deps.config.state;
  await writeEndpoint(state, { url: http.url, sse: http.sseUrl, pid: process.pid, startedAt: deps.clock.now().toISOString() });
  print(`mcp: ${http.url} (Streamable HTTP) and ${http.sseUrl} (SSE), bearer token required`);
  const server = http;
  return {
    onStream: (stream) => {
      if (live) stream.subscribe(bestEffort(live, (error) => deps.audit.record({ event: 'ALERT', message: `mcp server: ${messageOf(error)}` })));
    },
    onControl: (given) => {
      control = given;
    },
    onLetGo: (claim) => ctx.live?.letGo(claim),
    async close() {
      await removeEndpoint(state).catch(() => undefined);
      await server.close();
      await ctx.close();
    },
  };
}
