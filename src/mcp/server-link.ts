/**
 * The link to one configured server: its state (idle, connecting, connected, closed), opened lazily,
 * reopened with backoff after the server dies (a crashed stdio server is restarted by the next
 * request), and how its failures are worded (HTML bodies cut, the server's secrets masked). What is
 * sent over it is connection.ts's.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { ServerConfig } from '../config/schema.js';
import { McpCallError } from './errors.js';
import { oauthFailureIn } from './oauth/errors.js';
import { ServerOAuth } from './oauth/server-oauth.js';
import { openClient, type Live } from './open-client.js';
import { maskKnownText as redact, strongestFirst } from '../core/sanitize.js';
import { secretsOf } from './redact.js';
import { lastLine } from '../core/text.js';
import { scopedSignal } from './scoped-signal.js';
import { describeTransportError } from './transport-error.js';
import type { IdleTimers } from './idle-close.js';
import { unreachable } from '../core/errors.js';

export interface ConnectionDeps {
  readonly env: Record<string, string>;
  /** Working directory for stdio servers without their own `cwd`. */
  readonly defaultCwd: string;
  readonly now: () => number;
  readonly clientInfo: { name: string; version: string };
  /** Folder of the OAuth state files (config/state-dir.ts), for remote servers. */
  readonly oauthDir?: string;
  /** For the idle timeout of stdio servers; real timers by default. */
  readonly timers?: IdleTimers;
}

type State =
  | { readonly kind: 'idle'; readonly notBefore: number }
  | { readonly kind: 'connecting'; readonly promise: Promise<Live> }
  | { readonly kind: 'connected'; readonly live: Live }
  | { readonly kind: 'closed' };

const STDERR_TAIL_CHARS = 2_000;

export class ServerLink {
  private state: State = { kind: 'idle', notBefore: 0 };
  private failures = 0;
  private stderrTail = '';
  /** The last failure seen, for `servers` and error messages. */
  lastError: string | undefined;
  /** Configured values (tokens, URL credentials) that no message of ours may quote. */
  private readonly configuredSecrets: readonly string[];
  /** A remote server's OAuth; used when configured or authorized with `auth`. */
  private readonly oauth: ServerOAuth | undefined;
  /** For a bare `url`: the transport that worked, kept for the rest of the process. */
  private remembered: 'http' | 'sse' | undefined;

  constructor(
    readonly name: string,
    private readonly config: ServerConfig,
    private readonly deps: ConnectionDeps,
    /** Told when a new connection is up, and when one failed (not when one was closed on purpose). */
    private readonly events: { opened(): void; failed(): void },
  ) {
    this.configuredSecrets = secretsOf(config, deps.env);
    if ((config.type === 'http' || config.type === 'sse') && deps.oauthDir !== undefined) {
      this.oauth = new ServerOAuth(name, config, deps.oauthDir, deps.now);
    }
  }

  /** Secrets no message may quote: the configured ones and the current OAuth tokens. */
  private get secrets(): readonly string[] {
    return this.oauth ? strongestFirst([...this.configuredSecrets, ...this.oauth.secrets()]) : this.configuredSecrets;
  }

  /** An error's message, fit to print: HTML bodies cut, the server's secrets masked. */
  said(error: unknown): string {
    return redact(describeTransportError(oauthFailureIn(error) ?? error) + (this.oauth?.hint(error) ?? ''), this.secrets);
  }

  get kind(): State['kind'] {
    return this.state.kind;
  }

  /** The open connection, if any. */
  get current(): Live | undefined {
    return this.state.kind === 'connected' ? this.state.live : undefined;
  }

  /** The wire the connection speaks, once connected (for a bare `url`: the one that worked). */
  get transportKind(): Live['kind'] | undefined {
    return this.current?.kind ?? this.remembered;
  }

  /** A request got through: the backoff starts afresh. */
  succeeded(): void {
    this.failures = 0;
  }

  /** A connection dropped on purpose: the next `live()` opens a new one at once, without backoff. */
  forget(live: Live): void {
    if (this.state.kind === 'connected' && this.state.live === live) this.state = { kind: 'idle', notBefore: 0 };
    void live.client.close().catch(() => undefined);
  }

  /** Before a request on an OAuth server: a token that is about to expire is refreshed first. */
  async freshAuthorization(): Promise<void> {
    try {
      await this.oauth?.beforeRequest();
    } catch (error) {
      this.lastError = this.said(error);
      throw new McpCallError(this.name, 'connect', `${this.name}: ${this.said(error)}`, { cause: oauthFailureIn(error) ?? error });
    }
  }

  async close(): Promise<void> {
    const previous = this.state;
    this.state = { kind: 'closed' };
    if (previous.kind === 'connected') await previous.live.client.close().catch(() => undefined);
    if (previous.kind === 'connecting') {
      await previous.promise.then((live) => live.client.close()).catch(() => undefined);
    }
  }

  /** The open connection, opening one if needed. Failures here mean nothing was sent. */
  async live(timeoutMs: number, signal?: AbortSignal): Promise<Live> {
    for (;;) {
      const state = this.state;
      switch (state.kind) {
        case 'connected':
          return state.live;
        case 'connecting':
          // Joining a connect already under way: its failure reaches this caller masked and typed too.
          try {
            return await state.promise;
          } catch (error) {
            throw new McpCallError(this.name, 'connect', `${this.name}: cannot connect: ${this.said(error)}`, { cause: error });
          }
        case 'closed':
          throw new McpCallError(this.name, 'connect', `${this.name}: the connection pool is closed`);
        case 'idle': {
          const wait = state.notBefore - this.deps.now();
          if (wait > timeoutMs) {
            const why = `restarting in ${wait} ms after ${this.failures} failures`;
            throw new McpCallError(this.name, 'connect', `${this.name} is unavailable (${why}): ${this.lastError ?? 'unknown error'}`);
          }
          if (wait > 0) {
            // The abort's own reason (a deadline, the daemon stopping), not the timer's AbortError.
            await sleep(wait, undefined, { signal }).catch(() => Promise.reject(signal?.reason));
            continue;
          }
          const promise = this.open(timeoutMs, signal);
          this.state = { kind: 'connecting', promise };
          try {
            const live = await promise;
            if (this.state.kind === 'connecting' && this.state.promise === promise) {
              this.state = { kind: 'connected', live };
              if (live.kind !== 'stdio') this.remembered = live.kind;
              this.events.opened();
              return live;
            }
            // close() came while we were connecting: the client is closed; nothing may be sent on it.
            throw new Error('the connection pool closed while connecting');
          } catch (error) {
            if (this.state.kind === 'connecting' && this.state.promise === promise) this.noteFailure(error);
            throw new McpCallError(this.name, 'connect', `${this.name}: cannot connect: ${this.said(error)}`, {
              cause: oauthFailureIn(error) ?? error,
            });
          }
        }
        default:
          unreachable(state, 'connection state');
      }
    }
  }

  /** The server failed (it closed, stopped answering, could not start): reconnect after a backoff. */
  noteFailure(error: unknown): void {
    this.failures += 1;
    this.lastError = this.said(error) + redact(this.stderrTail ? ` (stderr: ${lastLine(this.stderrTail)})` : '', this.secrets);
    this.state = { kind: 'idle', notBefore: this.deps.now() + reconnectDelayMs(this.failures) };
    this.events.failed();
  }

  private async open(timeoutMs: number, signal?: AbortSignal): Promise<Live> {
    // A token that expires soon is refreshed before the initialize, not after its 401.
    const authProvider = await this.oauth?.forConnect();
    // The SDK never removes its abort listener: give it a signal of its own, not the daemon-long one.
    const scoped = scopedSignal(signal);
    return openClient(this.config, {
      ...this.deps,
      timeoutMs,
      signal: scoped.signal,
      ...(this.remembered ? { remembered: this.remembered } : {}),
      ...(authProvider ? { authProvider } : {}),
      onStderr: (text) => {
        this.stderrTail = (this.stderrTail + text).slice(-STDERR_TAIL_CHARS);
      },
      onClose: (live) => {
        // The next call reconnects after a backoff.
        if (this.state.kind === 'connected' && this.state.live === live) {
          this.noteFailure(new Error('the server closed the connection'));
        }
      },
    }).finally(() => scoped.release());
  }
}

/** Delay before reconnecting after `failures` consecutive failures: 100 ms doubling, capped. Pure. */
function reconnectDelayMs(failures: number, baseMs = 100, capMs = 30_000): number {
  if (failures <= 0) return 0;
  return Math.min(capMs, baseMs * 2 ** Math.min(failures - 1, 20));
}
