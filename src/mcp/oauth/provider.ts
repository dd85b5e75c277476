/**
 * The SDK's OAuthClientProvider over one server's stored OAuth state (store.ts). The SDK's `auth()`
 * does the protocol (discovery, dynamic registration, PKCE, code exchange, refresh); this class only
 * answers its questions and keeps what it is handed. Two modes:
 *   - `daemon`: uses the stored tokens, refreshes them a little before they expire (`ensureFresh`),
 *     and never starts a browser flow: where one would be needed it throws OAuthRefreshError.
 *   - `interactive` (the `auth` command): ignores stored tokens, hands the authorization URL to the
 *     caller, and stores the tokens the code is exchanged for.
 * For the client-credentials grant both modes simply fetch a token with the configured credentials.
 */
import { auth, type OAuthClientProvider, type OAuthDiscoveryState } from '@modelcontextprotocol/sdk/client/auth.js';
import { InvalidClientError, InvalidGrantError, OAuthError, UnauthorizedClientError } from '@modelcontextprotocol/sdk/server/auth/errors.js';
import type { OAuthClientInformationMixed, OAuthClientMetadata, OAuthTokens } from '@modelcontextprotocol/sdk/shared/auth.js';
import type { OAuthConfig } from '../../config/schema.js';
import { clientMetadataOf, grantOf, NO_REDIRECT, type OAuthGrant } from './client-metadata.js';
import { OAuthRefreshError } from './errors.js';
import type { OAuthRecord, OAuthStore } from './store.js';
import { unreachable } from '../../core/errors.js';

/** Refresh this share of a token's lifetime before it ends (at most a minute early). */
const EARLY_SHARE = 0.2;
const EARLY_MAX_MS = 60_000;

interface InteractiveOptions {
  readonly redirectUrl: string;
  readonly state: string;
  readonly onAuthorizationUrl: (url: URL) => void;
}

export interface OAuthProviderOptions {
  readonly server: string;
  readonly serverUrl: string;
  /** The entry's `oauth` block; absent for a server authorized with `auth` without one. */
  readonly oauth: OAuthConfig | undefined;
  readonly store: OAuthStore;
  readonly now: () => number;
  readonly interactive?: InteractiveOptions;
}

export class StoredOAuthProvider implements OAuthClientProvider {
  private record: OAuthRecord | undefined;
  private verifier: string | undefined;
  private refreshing: Promise<void> | undefined;
  /** Interactive mode: tokens are only those obtained by this run. */
  private obtained = false;

  constructor(private readonly options: OAuthProviderOptions) {}

  private get grant(): OAuthGrant {
    return grantOf(this.options.oauth);
  }

  get redirectUrl(): string | undefined {
    if (this.grant === 'client_credentials') return undefined;
    return this.options.interactive?.redirectUrl ?? NO_REDIRECT;
  }

  get clientMetadata(): OAuthClientMetadata {
    return clientMetadataOf(this.options.oauth, this.redirectUrl);
  }

  /** Does this server use OAuth at all: configured, or authorized with `auth` earlier? */
  async inUse(): Promise<boolean> {
    if (this.options.oauth !== undefined) return true;
    const record = await this.load();
    return record.tokens !== undefined || record.refusedAt !== undefined;
  }

  /** Values no message may quote: the tokens and the client secret. */
  secrets(): string[] {
    const tokens = this.record?.tokens as OAuthTokens | undefined;
    const client = this.record?.clientInformation as { client_secret?: string } | undefined;
    return [tokens?.access_token, tokens?.refresh_token, client?.client_secret, this.options.oauth?.clientSecret].filter(
      (value): value is string => typeof value === 'string',
    );
  }

  state(): string {
    return this.options.interactive?.state ?? '';
  }

  async clientInformation(): Promise<OAuthClientInformationMixed | undefined> {
    const stored = (await this.load()).clientInformation as OAuthClientInformationMixed | undefined;
    const { clientId, clientSecret } = this.options.oauth ?? {};
    if (clientId !== undefined) {
      // Pre-registered: the stored copy only adds the SDK's issuer stamp.
      if (stored?.client_id === clientId) return { ...stored, ...(clientSecret ? { client_secret: clientSecret } : {}) };
      return { client_id: clientId, ...(clientSecret ? { client_secret: clientSecret } : {}) };
    }
    const redirect = this.options.interactive?.redirectUrl;
    // A registration made for another loopback port cannot receive this run's redirect: register anew.
    if (redirect !== undefined && stored && 'redirect_uris' in stored && !stored.redirect_uris?.includes(redirect)) return undefined;
    return stored;
  }

  async saveClientInformation(info: OAuthClientInformationMixed): Promise<void> {
    const record = await this.load();
    const known = (record.clientInformation as OAuthClientInformationMixed | undefined)?.client_id;
    // The daemon only accepts the SDK's issuer stamp on a known client; a new registration is `auth`'s job.
    if (!this.options.interactive && known !== info.client_id && this.options.oauth?.clientId !== info.client_id) {
      throw new OAuthRefreshError(this.options.server, 'not_authorized');
    }
    await this.save({ ...record, clientInformation: { ...info } });
  }

  async tokens(): Promise<OAuthTokens | undefined> {
    if (this.options.interactive && this.grant === 'authorization_code' && !this.obtained) return undefined;
    const record = await this.load();
    return record.refusedAt === undefined ? (record.tokens as OAuthTokens | undefined) : undefined;
  }

  async saveTokens(tokens: OAuthTokens): Promise<void> {
    const record = await this.load();
    const lifetimeMs = typeof tokens.expires_in === 'number' ? tokens.expires_in * 1000 : undefined;
    const { expiresAt: _expiresAt, lifetimeMs: _lifetimeMs, refusedAt: _refusedAt, ...rest } = record;
    this.obtained = true;
    await this.save({
      ...rest,
      tokens: { ...tokens },
      ...(lifetimeMs !== undefined ? { expiresAt: this.options.now() + lifetimeMs, lifetimeMs } : {}),
    });
  }

  redirectToAuthorization(authorizationUrl: URL): void {
    if (!this.options.interactive) {
      const record = this.record;
      if (record?.refusedAt === undefined && (record?.tokens as OAuthTokens | undefined)?.refresh_token !== undefined) {
        // The SDK goes on to a new authorization when a refresh fails for a reason that is not the
        // server's refusal (network, 5xx): that is transient, not a lost authorization.
        throw new Error(`${this.options.server}: could not refresh the OAuth access token (the authorization server did not answer properly); it is tried again on the next call`);
      }
      throw new OAuthRefreshError(this.options.server, record?.refusedAt !== undefined ? 'refused' : 'not_authorized');
    }
    this.options.interactive.onAuthorizationUrl(authorizationUrl);
  }

  saveCodeVerifier(codeVerifier: string): void {
    this.verifier = codeVerifier;
  }

  codeVerifier(): string {
    if (this.verifier === undefined) throw new Error('no PKCE code verifier: the authorization was not started by this run');
    return this.verifier;
  }

  prepareTokenRequest(scope?: string): URLSearchParams | undefined {
    if (this.grant !== 'client_credentials') return undefined;
    const params = new URLSearchParams({ grant_type: 'client_credentials' });
    const wanted = scope ?? this.options.oauth?.scope;
    if (wanted) params.set('scope', wanted);
    return params;
  }

  async invalidateCredentials(scope: 'all' | 'client' | 'tokens' | 'verifier' | 'discovery'): Promise<void> {
    const record = await this.load();
    const { tokens: _tokens, clientInformation: _client, discoveryState: _discovery, ...kept } = record;
    switch (scope) {
      case 'verifier':
        this.verifier = undefined;
        return;
      case 'discovery': {
        const { discoveryState: _dropped, ...rest } = record;
        await this.save(rest);
        return;
      }
      case 'tokens':
      case 'client':
      case 'all': {
        // Keep what the scope does not name; remember the refusal so the daemon says why, until `auth` runs.
        const keepClient = scope === 'tokens' && record.clientInformation;
        const keepTokens = scope === 'client' && record.tokens;
        await this.save({
          ...kept,
          ...(keepClient ? { clientInformation: record.clientInformation } : {}),
          ...(keepTokens ? { tokens: record.tokens } : {}),
          ...(record.discoveryState && scope !== 'all' ? { discoveryState: record.discoveryState } : {}),
          ...(this.options.interactive ? {} : { refusedAt: this.options.now() }),
        });
        return;
      }
      default:
        unreachable(scope, 'invalidation scope');
    }
  }

  async saveDiscoveryState(state: OAuthDiscoveryState): Promise<void> {
    await this.save({ ...(await this.load()), discoveryState: { ...state } });
  }

  async discoveryState(): Promise<OAuthDiscoveryState | undefined> {
    return (await this.load()).discoveryState as OAuthDiscoveryState | undefined;
  }

  /**
   * Before a request: make sure a usable access token is stored, refreshing it when it is about to
   * expire, so requests do not fail on an expired token first. Throws OAuthRefreshError when only a
   * person can help (never authorized, refresh refused).
   */
  async ensureFresh(): Promise<void> {
    let record = await this.load();
    if (record.refusedAt !== undefined || record.tokens === undefined || this.expiring(record)) {
      // `auth` may have run in another process since: look again before concluding anything.
      record = await this.load(true);
    }
    if (this.grant === 'authorization_code') {
      if (record.refusedAt !== undefined) throw new OAuthRefreshError(this.options.server, 'refused');
      if (record.tokens === undefined) throw new OAuthRefreshError(this.options.server, 'not_authorized');
    }
    if (record.tokens !== undefined && !this.expiring(record)) return;
    this.refreshing ??= this.runAuth().finally(() => {
      this.refreshing = undefined;
    });
    await this.refreshing;
  }

  private async runAuth(): Promise<void> {
    try {
      await auth(this, { serverUrl: this.options.serverUrl });
    } catch (error) {
      if (error instanceof InvalidGrantError || error instanceof InvalidClientError || error instanceof UnauthorizedClientError) {
        throw new OAuthRefreshError(this.options.server, this.grant === 'client_credentials' ? 'credentials_refused' : 'refused', { cause: error });
      }
      if (error instanceof OAuthError && this.grant === 'client_credentials' && !(error.errorCode === 'server_error')) {
        throw new OAuthRefreshError(this.options.server, 'credentials_refused', { cause: error });
      }
      throw error;
    }
  }

  private expiring(record: OAuthRecord): boolean {
    if (record.expiresAt === undefined) return false;
    const early = Math.min(EARLY_MAX_MS, (record.lifetimeMs ?? 0) * EARLY_SHARE);
    return this.options.now() >= record.expiresAt - early;
  }

  private async load(again = false): Promise<OAuthRecord> {
    if (this.record === undefined || again) this.record = (await this.options.store.read()) ?? this.options.store.empty();
    return this.record;
  }

  private async save(record: OAuthRecord): Promise<void> {
    this.record = record;
    await this.options.store.write(record);
  }
}
