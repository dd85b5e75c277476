/**
 * One configured server's connection, as the pool uses it: tool listings (cached per connection),
 * calls and pings over the link (server-link.ts), a session the server lost re-established once, a
 * server that stops answering after a timeout dropped, and a stdio server unused for `idleTimeoutMs`
 * stopped until the next request.
 */
import { ErrorCode, McpError, type CallToolResult, type Tool } from '@modelcontextprotocol/sdk/types.js';
import type { ServerConfig } from '../config/schema.js';
import { messageOf } from '../core/text.js';
import { McpCallError } from './errors.js';
import { IdleCloser } from './idle-close.js';
import { callOn, isLostSession, listAllTools, pingOn, type ToolRequest } from './live-requests.js';
import { oauthFailureIn } from './oauth/errors.js';
import type { Live } from './open-client.js';
import { ServerLink, type ConnectionDeps } from './server-link.js';

export interface ConnectionStatus {
  readonly connected: boolean;
  readonly serverVersion?: { name: string; version: string };
  readonly protocolVersion?: string;
  /** The last failure seen (also in error messages). */
  readonly lastError?: string;
  /** The wire in use or last used: for a bare `url`, whichever of `http` and `sse` worked. */
  readonly transport?: Live['kind'];
}

/** Longest wait for the ping that checks a server after one of its calls timed out. */
const PROBE_TIMEOUT_MS = 5_000;

export class ServerConnection {
  private readonly link: ServerLink;
  /** Stops a stdio server unused for `idleTimeoutMs`; the next request starts it again. */
  private readonly idle: IdleCloser | undefined;
  /** The tools of the live connection; kept when it is stopped for idleness, so validation needs no restart. */
  private knownTools: Tool[] | undefined;
  private idleTools: Tool[] | undefined;

  constructor(
    readonly name: string,
    config: ServerConfig,
    deps: ConnectionDeps,
  ) {
    this.link = new ServerLink(name, config, deps, {
      opened: () => (this.idleTools = undefined),
      // A failing server is not vouched for by an old list.
      failed: () => (this.idleTools = undefined),
    });
    if (config.type === 'stdio') this.idle = new IdleCloser(config.idleTimeoutMs, () => this.stopIdle(), deps.timers);
  }

  /** What `servers` shows of the connection: only what is known. */
  status(): ConnectionStatus {
    const live = this.link.current;
    const version = live?.client.getServerVersion();
    const { lastError, transportKind: transport } = this.link;
    return {
      connected: live !== undefined,
      ...(version ? { serverVersion: version } : {}),
      ...(live?.protocolVersion ? { protocolVersion: live.protocolVersion } : {}),
      ...(lastError ? { lastError } : {}),
      ...(transport ? { transport } : {}),
    };
  }

  async listTools(timeoutMs: number, signal?: AbortSignal): Promise<Tool[]> {
    if (this.link.kind === 'idle' && this.idleTools) return this.idleTools;
    try {
      return await this.withSession(timeoutMs, signal, async (live) => {
        const listing = (live.tools ??= listAllTools(live, timeoutMs, signal));
        try {
          return (this.knownTools = await listing);
        } catch (error) {
          if (live.tools === listing) live.tools = undefined; // a newer listing may already be under way
          throw error;
        }
      });
    } catch (error) {
      if (error instanceof McpCallError) throw error;
      throw new McpCallError(this.name, 'connect', `${this.name}: could not list tools: ${this.link.said(error)}`, {
        cause: error,
      });
    }
  }

  async callTool(
    request: ToolRequest,
    timeoutMs: number,
    signal?: AbortSignal,
    /** Told the moment the request is handed to the transport: from then on it may reach the server. */
    onSending?: () => void,
  ): Promise<CallToolResult> {
    let sentOn: Live | undefined;
    try {
      const result = await this.withSession(timeoutMs, signal, async (live) => {
        onSending?.();
        sentOn = live;
        return callOn(live, request, timeoutMs, signal);
      });
      this.link.succeeded();
      return result;
    } catch (error) {
      if (error instanceof McpCallError) throw error;
      this.link.lastError = this.link.said(error);
      if (error instanceof McpError && error.code === ErrorCode.RequestTimeout && sentOn) await this.checkAlive(sentOn, timeoutMs);
      // Refused for want of authorization (a 401 the token could not be refreshed for): not processed.
      const phase = oauthFailureIn(error) ? 'connect' : 'call';
      throw new McpCallError(this.name, phase, `${this.name}.${request.name}: ${this.link.said(error)}`, { cause: error });
    }
  }

  async ping(timeoutMs: number, signal?: AbortSignal): Promise<void> {
    await this.withSession(timeoutMs, signal, (live) => pingOn(live, timeoutMs, signal));
  }

  async close(): Promise<void> {
    this.idle?.stop();
    await this.link.close();
  }

  /**
   * Runs `op` on the open connection. When the server lost our session (isLostSession: it restarted),
   * the request was refused unprocessed: `op` runs once more on a new session. Any other failure is
   * the caller's to judge (a request that may have been processed is never sent again here).
   */
  private async withSession<T>(timeoutMs: number, signal: AbortSignal | undefined, op: (live: Live) => Promise<T>): Promise<T> {
    this.idle?.enter();
    try {
      const live = await this.link.live(timeoutMs, signal);
      await this.link.freshAuthorization();
      try {
        return await op(live);
      } catch (error) {
        if (!isLostSession(live, error)) throw error;
        this.link.forget(live);
        return await op(await this.link.live(timeoutMs, signal));
      }
    } finally {
      this.idle?.leave();
    }
  }

  /** Unused for `idleTimeoutMs`: closed on purpose (not a failure), its tools remembered. */
  private stopIdle(): void {
    const live = this.link.current;
    if (!live) return;
    this.idleTools = this.knownTools;
    this.link.forget(live);
  }

  /**
   * After a call timed out: does the server still answer a ping? One that does merely had a slow tool.
   * One that does not (its output closed, or it is wedged while its process lives on) would time out
   * every later call too, and no exit event will ever say so: drop it, so the next call restarts it.
   */
  private checkAlive(live: Live, timeoutMs: number): Promise<void> {
    live.probe ??= live.client
      .ping({ timeout: Math.min(timeoutMs, PROBE_TIMEOUT_MS) })
      .then(
        () => undefined,
        (error: unknown) => {
          if (this.link.current !== live) return;
          this.link.noteFailure(new Error(`the server stopped answering (no reply to a ping after a call timed out: ${messageOf(error)})`));
          void live.client.close().catch(() => undefined);
        },
      )
      .finally(() => {
        live.probe = undefined;
      });
    return live.probe;
  }
}
