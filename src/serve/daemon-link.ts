/**
 * What the MCP server may ask of the daemon about a plan in In_Progress/, whose file is the daemon's
 * alone to write: stop it before its next step, or add a line to its Execution Log. Inside the daemon
 * (`daemon --mcp-port`) that is a direct call (daemon.ts `DaemonControl`); under `serve` it is the
 * running daemon's own MCP endpoint (endpoint-file.ts) with the configured token; with no daemon, the
 * answer says so, and nothing in In_Progress/ is touched.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { messageOf } from '../core/text.js';
import type { DaemonControl } from '../daemon/daemon.js';
import { statePaths } from '../config/state-dir.js';
import { readDaemonHealth } from '../monitor/health-file.js';
import { textOf } from './call-audit.js';
import { readEndpoint } from './endpoint-file.js';

export type LinkAnswer = { readonly ok: boolean; readonly message: string };

export interface DaemonLink {
  /** True inside the daemon: its events are live, and In_Progress/ plans are its own. */
  readonly hosted: boolean;
  /** `claim`: the plan's file name in In_Progress/. */
  cancel(claim: string, id: string, reason: string): Promise<LinkAnswer>;
  appendLog(claim: string, lines: readonly string[]): Promise<LinkAnswer>;
  /** Whether a daemon runs on the vault, for people. */
  describe(): Promise<{ readonly running: boolean; readonly pid?: number; readonly url?: string }>;
}

const STARTING: LinkAnswer = { ok: false, message: 'the daemon is still starting: try again in a moment' };

export function hostedLink(controlOf: () => DaemonControl | undefined): DaemonLink {
  return {
    hosted: true,
    async cancel(claim, _id, reason) {
      const control = controlOf();
      if (!control) return STARTING;
      return control.cancel(claim, reason)
        ? { ok: true, message: 'the daemon stops it before its next step; it then goes to Failed/ with status: cancelled' }
        : { ok: false, message: 'the daemon does not hold this plan (it has just ended, or it is not claimed): look again with get_plan' };
    },
    async appendLog(claim, lines) {
      const control = controlOf();
      if (!control) return STARTING;
      try {
        return (await control.appendLog(claim, lines))
          ? { ok: true, message: 'added to its Execution Log by the daemon' }
          : { ok: false, message: 'the daemon is not running this plan right now (queued or just ended), so its file was left alone' };
      } catch (error) {
        return { ok: false, message: `the daemon could not write the plan file: ${messageOf(error)}` };
      }
    },
    async describe() {
      return { running: true, pid: process.pid };
    },
  };
}

/** The daemon a `serve` process sees on its vault, if any; `token` reaches its MCP endpoint. */
export function vaultLink(state: string, token: string | undefined): DaemonLink {
  const describe: DaemonLink['describe'] = async () => {
    const endpoint = await readEndpoint(state);
    if (endpoint) return { running: true, pid: endpoint.pid, url: endpoint.url };
    const health = await readDaemonHealth(statePaths(state).health);
    return health?.running ? { running: true, pid: health.pid } : { running: false };
  };
  return {
    hosted: false,
    async cancel(_claim, id, reason) {
      const daemon = await describe();
      if (daemon.url === undefined) {
        const message = daemon.running
          ? `a daemon (pid ${daemon.pid}) runs this vault but serves no MCP endpoint: restart it with --mcp-port to cancel running plans from here`
          : 'no daemon runs on this vault, so nothing is running: the plan in In_Progress/ resumes when the daemon starts; start it (mcp-orchestrator daemon) to cancel it then';
        return { ok: false, message };
      }
      if (!token) {
        return { ok: false, message: `the daemon (pid ${daemon.pid}) needs a token: set serve.token or $ORCHESTRATOR_TOKEN for serve as for the daemon` };
      }
      return callDaemon(daemon.url, token, 'cancel_plan', { id, reason });
    },
    async appendLog() {
      return { ok: false, message: 'the plan is in In_Progress/, whose files only the daemon writes: the report is in the audit log, not in the plan file' };
    },
    describe,
  };
}

const CALL_TIMEOUT_MS = 15_000;

async function callDaemon(url: string, token: string, tool: string, args: Record<string, unknown>): Promise<LinkAnswer> {
  const client = new Client({ name: 'mcp-orchestrator-serve', version: '0.1.0' });
  const transport = new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { authorization: `Bearer ${token}` } } });
  try {
    await client.connect(transport, { timeout: CALL_TIMEOUT_MS });
    const result = await client.callTool({ name: tool, arguments: args }, undefined, { timeout: CALL_TIMEOUT_MS });
    return { ok: result.isError !== true, message: `the daemon answered: ${textOf(result.content)}` };
  } catch (error) {
    return { ok: false, message: `cannot reach the daemon's MCP endpoint at ${url}: ${messageOf(error)}` };
  } finally {
    await client.close().catch(() => undefined);
  }
}
