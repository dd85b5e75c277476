/**
 * One remote server's OAuth, as its connection sees it: whether the server uses OAuth (configured, or
 * authorized with `auth` earlier), a fresh token before each request, the tokens to mask in messages,
 * and a hint when a server that we hold no authorization for answers 401.
 */
import type { RemoteServerConfig } from '../../config/schema.js';
import { httpStatusOf } from '../transport-error.js';
import { StoredOAuthProvider } from './provider.js';
import { OAuthStore } from './store.js';

export class ServerOAuth {
  private readonly provider: StoredOAuthProvider;
  /** Whether the last connect used OAuth; for the 401 hint, which must be synchronous. */
  private used = false;

  constructor(
    private readonly name: string,
    server: RemoteServerConfig,
    dir: string,
    now: () => number,
  ) {
    this.provider = new StoredOAuthProvider({
      server: name,
      serverUrl: server.url,
      oauth: server.oauth,
      store: new OAuthStore(dir, name, server.url),
      now,
    });
  }

  /** For a new connection: the provider with a token fresh enough, or undefined when OAuth is not used. */
  async forConnect(): Promise<StoredOAuthProvider | undefined> {
    this.used = await this.provider.inUse();
    if (!this.used) return undefined;
    await this.provider.ensureFresh();
    return this.provider;
  }

  /** Before a request on an open connection: refreshes a token about to expire. */
  async beforeRequest(): Promise<void> {
    if (this.used) await this.provider.ensureFresh();
  }

  secrets(): string[] {
    return this.provider.secrets();
  }

  /** A 401 from a server we hold no OAuth authorization for: it may want one. */
  hint(error: unknown): string {
    if (this.used || httpStatusOf(error) !== 401) return '';
    return `; if the server uses OAuth, run \`mcp-orchestrator auth ${this.name}\` once`;
  }
}
